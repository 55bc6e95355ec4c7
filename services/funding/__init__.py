"""The funding service: funding calls (Förderaufrufe), eligibility, subscriptions and alerts."""
