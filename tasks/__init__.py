"""Tasks (the SPA's to-do list, with recurrence and reminders) and goals with logged progress."""
