#!/usr/bin/env python3
"""A second scenario generator, independent of gen-sample.py's shapes, to check that
detection is not fitted to one generator: minimal X API v1.1 posts that carry #twitterdown
and a place's country code, nothing else.

- Chatter: every one of 20 countries posts the tag now and then (Poisson, up to 1.2 a
  minute at its daily peak in local time, less at weekends), where gen-sample.py gives
  countries outside an outage almost none.
- Harmless bursts: 3 to 5 posts within one or two minutes, at random times, --bursts-per-day
  in every country whatever its chatter.
- An outage (--outage): each named country's rate rises as 1 - exp(-t / tau) to its peak
  (where gen-sample.py ramps over 3 minutes), holds with noise, and decays over minutes.
- It may come back (--return-after minutes after its end, for --return-minutes, at
  --return-scale times each country's peak), rising and decaying the same way.

    scripts/gen-independent.py --out F [--seed N] [--days D] [--start YYYY-MM-DD]
        [--outage HH:MM --minutes M --countries CC:PEAK,... --tau T] [--bursts-per-day B]
        [--chatter X] [--return-after A --return-minutes R --return-scale S]

--outage counts from the first day's midnight (UTC), so 30:00 is 06:00 on the second day.
"""
import argparse, datetime, json, math, random

# Country: (UTC offset in hours, #twitterdown chatter per minute at its daily peak).
COUNTRIES = {"US": (-5, 1.2), "BR": (-3, 0.8), "GB": (0, 0.5), "DE": (1, 0.3), "FR": (1, 0.25),
             "IN": (5.5, 0.6), "JP": (9, 0.4), "PH": (8, 0.5), "NG": (1, 0.2), "KE": (3, 0.08),
             "LT": (2, 0.03), "UG": (3, 0.05), "ZA": (2, 0.15), "MX": (-6, 0.3), "ID": (7, 0.35),
             "AR": (-3, 0.2), "CA": (-5, 0.2), "AU": (10, 0.15), "PL": (1, 0.1), "TR": (3, 0.2)}


def poisson(r, rate):
    if rate > 30:
        return max(0, int(r.gauss(rate, math.sqrt(rate)) + 0.5))
    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= r.random()
        if p <= limit:
            return k
        k += 1


def chatter_rate(t_ms, offset, peak, chatter):
    hour = (t_ms / 3_600_000 + offset) % 24
    weekday = (t_ms // 86_400_000 + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    weekend = 0.7 if weekday >= 5 else 1.0
    cycle = 0.15 + 0.85 * (0.5 - 0.5 * math.cos((hour - 3) / 24 * 2 * math.pi)) ** 2
    return peak * chatter * weekend * cycle


def back(r, a, peak, y):
    """The rate a country's outage adds `y` minutes after it came back (none without a return),
    shaped as the first time: a rise with time constant tau, noise, a 3-minute decay."""
    if a.return_minutes <= 0 or y < 0:
        return 0
    peak *= a.return_scale
    if y < a.return_minutes:
        return peak * (1 - math.exp(-(y + 0.5) / a.tau)) * r.uniform(0.7, 1.3)
    return peak * math.exp(-(y - a.return_minutes) / 3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--days", type=float, default=1)
    ap.add_argument("--start", default="2016-03-07", help="first day (UTC)")
    ap.add_argument("--outage", help="onset, HH:MM from the first midnight")
    ap.add_argument("--minutes", type=int, default=60, help="outage length")
    ap.add_argument("--countries", default="", help="CC:PEAK,... (mentions a minute at the peak)")
    ap.add_argument("--tau", type=float, default=1.5, help="rise time constant, minutes")
    ap.add_argument("--bursts-per-day", type=float, default=1)
    ap.add_argument("--chatter", type=float, default=1, help="multiply every country's chatter")
    ap.add_argument("--return-after", type=int, default=0,
                    help="the outage comes back this many minutes after its end")
    ap.add_argument("--return-minutes", type=int, default=0, help="for this long (0: no return)")
    ap.add_argument("--return-scale", type=float, default=1,
                    help="at this times each country's peak")
    a = ap.parse_args()
    r = random.Random(a.seed)
    start = datetime.datetime.strptime(a.start, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    t0 = int(start.timestamp()) * 1000
    peaks = {cc: float(p) for cc, p in (item.split(":") for item in a.countries.split(",") if item)}
    onset = None
    if a.outage:
        h, m = map(int, a.outage.split(":"))
        onset = t0 + (h * 60 + m) * 60_000
    minutes = int(a.days * 1440)
    posts = []
    for cc, (offset, peak) in COUNTRIES.items():
        expected_bursts = a.bursts_per_day * a.days
        n_bursts = int(expected_bursts) + (r.random() < expected_bursts % 1)
        for _ in range(n_bursts):
            at, size, span = r.randrange(minutes), r.randint(3, 5), r.randint(1, 2)
            posts += [(t0 + at * 60_000 + r.randrange(span * 60_000), cc) for _ in range(size)]
        for m in range(minutes):
            t = t0 + m * 60_000
            rate = chatter_rate(t, offset, peak, a.chatter)
            if onset is not None and cc in peaks:
                x = (t - onset) / 60_000
                if 0 <= x < a.minutes:
                    rate += peaks[cc] * (1 - math.exp(-(x + 0.5) / a.tau)) * r.uniform(0.7, 1.3)
                elif x >= a.minutes:
                    rate += peaks[cc] * math.exp(-(x - a.minutes) / 3)
                rate += back(r, a, peaks[cc], x - a.minutes - a.return_after)
            posts += [(t + r.randrange(60_000), cc) for _ in range(poisson(r, rate))]
    posts.sort()
    with open(a.out, "w") as f:
        for i, (ms, cc) in enumerate(posts):
            created = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
            post_id = str(700_000_000_000_000_000 + i * 7 + a.seed)
            f.write(json.dumps({
                "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "id_str": post_id, "id": int(post_id), "text": "is it down? #twitterdown",
                "user": {"id_str": str(i), "location": ""},
                "place": {"country_code": cc, "full_name": cc},
                "entities": {"hashtags": [{"text": "twitterdown", "indices": [12, 24]}]},
                "timestamp_ms": str(ms)}) + "\n")


if __name__ == "__main__":
    main()
