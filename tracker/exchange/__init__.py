"""What goes out and comes in.

The appointment PDF, the spreadsheet (CSV), the backup (JSON), FHIR, the calendar reminder.
"""
