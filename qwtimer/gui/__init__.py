"""The technician's window (Qt). Widgets talk only to desk services, never to SQL."""
