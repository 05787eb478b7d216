"""Analytics: study stats, AI weekly reviews, streaks and the dashboard (aggregated in SQL)."""
