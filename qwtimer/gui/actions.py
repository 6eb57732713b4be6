"""Every call action as a QAction with its keyboard shortcut, shown in its tooltip and in the
help overlay. Disabled actions do nothing, so a shortcut can never act in the wrong state;
the window then says why, and which keys act now (``refused``)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar

from qwtimer.core.timer import Action, CallState, allowed_actions


@dataclass(frozen=True)
class Command:
    key: str  # attribute name on WindowActions
    text: str
    shortcut: str
    help: str


CALL_COMMANDS = (
    Command("start", "&Start", "F2", "Start a call for the selected customer"),
    Command("hold", "&Hold", "F3", "Put the caller on hold (not billed, R4)"),
    Command(
        "work", "&Working on hold", "F4", "While on hold: you are working the issue (billed, R11)"
    ),
    Command("resume", "Res&ume", "F5", "Back on the line with the caller"),
    Command("research", "&Research", "F6", "Research off the phone (billed, R5)"),
    Command("stop", "S&top", "F9", "Stop the call and bill it"),
)
OTHER_COMMANDS = (
    Command("find", "&Find customer", "Ctrl+F", "Go to the search box"),
    Command("new_customer", "&New customer…", "Ctrl+N", "Add a customer and product lines"),
    Command("edit_customer", "&Edit customer…", "Ctrl+E", "Edit the selected customer"),
    Command(
        "buy_minutes", "&Buy minutes…", "Ctrl+B", "Blocks of minutes paid by card, banked (R6)"
    ),
    Command("card_on_file", "&Card on file…", "Ctrl+K", "Put the customer's card on file (R6.1)"),
    Command(
        "log_call", "&Log a call by hand…", "Ctrl+L", "A call that was not timed: its durations"
    ),
    Command("recent", "Recent &calls", "Ctrl+R", "Stopped calls: reopen one to add research (R5)"),
    Command(
        "move_call",
        "&Move call to another customer…",
        "Ctrl+M",
        "Started for the wrong customer: move the call to the one highlighted in the list",
    ),
    Command(
        "discard_call", "&Discard call…", "Ctrl+Shift+D", "Started by mistake: discard the call"
    ),
    Command(
        "take_waiting", "&Take the waiting call", "F7", "Another call waits: take it (none running)"
    ),
    Command(
        "new_for_number",
        "New customer with this &number…",
        "Ctrl+Shift+N",
        "The phone rings from a number no customer has: add the customer with it",
    ),
    Command("gap", "&Account for gap…", "Ctrl+G", "Say what unaccounted time (sleep) was"),
    Command(
        "review", "Super&visor review…", "Ctrl+Shift+V", "Every call's breakdown, corrections (R13)"
    ),
    Command(
        "settings",
        "&Settings…",
        "Ctrl+,",
        "Phone region, answering, the phone endpoint, starting with the session",
    ),
    Command("warn", "&Warning time…", "", "Minutes before the bank runs out to warn"),
    Command("import_csv", "&Import customers…", "", "Import customers from a CSV file"),
    Command("demo", "Load &demo data", "", "Add a few demo customers (marked '(demo)')"),
    Command("help", "&Keyboard shortcuts", "F1", "Show every shortcut"),
    Command("quit", "&Quit", "Ctrl+Q", "Close the window"),
)


def label(cmd: Command) -> str:
    """The command's name as shown, without its menu accelerator: "Working on hold"."""
    return cmd.text.replace("&", "").rstrip("…")


def tooltip(cmd: Command) -> str:
    if not cmd.shortcut:
        return cmd.help
    key = QKeySequence(cmd.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
    return f"{cmd.help} ({key})"


class WindowActions(QObject):
    """The window's actions, by name: ``actions.start``, ``actions.hold``, ... Each command's
    key is declared here as a typed attribute (the tables above fill them in)."""

    start: QAction
    hold: QAction
    work: QAction
    resume: QAction
    research: QAction
    stop: QAction
    find: QAction
    new_customer: QAction
    edit_customer: QAction
    buy_minutes: QAction
    card_on_file: QAction
    recent: QAction
    log_call: QAction
    move_call: QAction
    discard_call: QAction
    take_waiting: QAction
    new_for_number: QAction
    gap: QAction
    review: QAction
    settings: QAction
    warn: QAction
    import_csv: QAction
    demo: QAction
    help: QAction
    quit: QAction

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.by_key: dict[str, QAction] = {}
        for cmd in (*CALL_COMMANDS, *OTHER_COMMANDS):
            act = QAction(cmd.text, parent)
            if cmd.shortcut:
                act.setShortcut(QKeySequence(cmd.shortcut))
                act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(tooltip(cmd))
            act.setStatusTip(cmd.help)
            self.by_key[cmd.key] = act
            setattr(self, cmd.key, act)
        self.work_action.setCheckable(True)
        self._state = CallState.IDLE  # the state the call actions were last enabled for

    @property
    def work_action(self) -> QAction:
        return self.by_key["work"]

    def call_actions(self) -> list[QAction]:
        return [self.by_key[c.key] for c in CALL_COMMANDS]

    def fill_menus(self, bar: QMenuBar, more_help: list[QAction]) -> None:
        """The window's menus, each opened with Alt and its underlined letter."""
        a = self.by_key
        call = bar.addMenu("C&all")
        call.addActions(self.call_actions())
        call.addSeparator()
        call.addActions([a["gap"], a["recent"], a["log_call"]])
        call.addSeparator()
        call.addActions([a["move_call"], a["discard_call"]])
        call.addSeparator()
        call.addActions([a["take_waiting"], a["new_for_number"]])
        cust = bar.addMenu("C&ustomer")
        cust.addActions([a["find"], a["new_customer"], a["edit_customer"]])
        cust.addSeparator()
        cust.addActions([a["buy_minutes"], a["card_on_file"]])
        cust.addSeparator()
        cust.addActions([a["import_csv"], a["demo"]])
        bar.addMenu("&Review").addAction(a["review"])
        bar.addMenu("&Settings").addActions([a["settings"], a["warn"]])
        bar.addMenu("&Help").addActions([a["help"], *more_help, a["quit"]])

    def enable_for(self, state: CallState, customer_picked: bool) -> None:
        """Enable exactly the call actions the state allows (timer state machine)."""
        allowed = set(allowed_actions(state))
        for cmd in CALL_COMMANDS:
            act = self.by_key[cmd.key]
            ok = Action(cmd.key) in allowed
            if cmd.key == "start":
                ok = ok and customer_picked
            if cmd.key == "research" and state is CallState.STOPPED:
                ok = False  # research after a call goes through Recent calls (R5)
            act.setEnabled(ok)
        self.work_action.setChecked(state is CallState.WORKING_HOLD)
        self._state = state

    def refused(self, pressed: QKeySequence) -> str | None:
        """Why the call command whose key is ``pressed`` does nothing now (it is disabled),
        and which keys act instead; None when no disabled call command has that key."""
        for cmd in CALL_COMMANDS:
            act = self.by_key[cmd.key]
            if not act.isEnabled() and pressed in act.shortcuts():
                return self._why_not(cmd.key)
        return None

    def _why_not(self, refused: str) -> str:
        state, allowed = self._state, set(allowed_actions(self._state))
        key = {c.key: f"{c.shortcut} {label(c)}" for c in CALL_COMMANDS}
        now = [key[c.key] for c in CALL_COMMANDS if self.by_key[c.key].isEnabled()]
        then = f" Now: {', '.join(now)}." if now else ""
        if not now and Action.START in allowed:
            then = f" Pick the caller, then {key['start']}."
        if refused == "start" and Action.START in allowed:  # idle: it waits for the caller
            return f"{key['start']}: pick the caller first (Ctrl+F, type, Enter)."
        if refused == "work" and Action.HOLD in allowed:  # working on hold is a kind of hold
            return f"{key['work']}: put the caller on hold first ({key['hold']}).{then}"
        running = f"while the call is {state.phrase}" if state.running else "with no call running"
        return f"{key[refused]}: not {running}.{then}"
