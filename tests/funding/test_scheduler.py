"""The scheduler's clock: the digest hour is Berlin wall-clock time, summer or winter."""

from datetime import UTC, datetime

from services.funding.scheduler import digest_cutoff


def test_the_digest_goes_out_at_seven_berlin_time_across_the_change_to_summer_time() -> None:
    winter = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)  # 10:00 CET
    summer = datetime(2026, 3, 29, 9, 0, tzinfo=UTC)  # 11:00 CEST, the day clocks go forward
    assert digest_cutoff(winter, 7) == datetime(2026, 3, 28, 6, 0, tzinfo=UTC)
    assert digest_cutoff(summer, 7) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


def test_before_the_hour_the_last_digest_was_yesterdays() -> None:
    early = datetime(2026, 10, 25, 5, 30, tzinfo=UTC)  # 06:30 CET, the day clocks go back
    assert digest_cutoff(early, 7) == datetime(2026, 10, 24, 5, 0, tzinfo=UTC)  # 07:00 CEST
