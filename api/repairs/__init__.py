"""On-the-day repairs of a published schedule (the service side of scheduler.repair)."""
