"""Focus: the timer and manual study logs (one session model), AI summaries and the shutdown ritual."""
