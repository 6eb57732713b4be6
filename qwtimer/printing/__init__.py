"""Printed documents (statement PDFs), shared by the window and the command line. Drawn with
QtGui on a PDF device only: no widget, no window, nothing from ``qwtimer.gui``."""
