"""Application services used by the command line and the window alike."""
