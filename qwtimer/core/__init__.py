"""Pure domain: clock, timer state machine, policy, billing, eligibility. No Qt, no Peewee."""
