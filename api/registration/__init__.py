"""Self-registration to a salon: its public form, the requests and the organiser's decisions."""
