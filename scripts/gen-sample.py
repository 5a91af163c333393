#!/usr/bin/env python3
"""Writes a deterministic, realistic X API v1.1 feed for 2016-01-19, the day Twitter went
down worldwide (08:15 to about 10:00 UTC) and users in seven countries said so elsewhere.

    scripts/gen-sample.py --posts 1000000 --out sample.jsonl [--truth truth.csv]
    scripts/gen-sample.py --size-mb 1100 --out big.jsonl       (for the replay benchmark)

The feed holds many countries and languages, most posts without the tag, a low daily
trickle of #twitterdown, the outage across BR PH GB UG DE ZA LT, a realistic mix of
country evidence (place, coordinates, profile location, 2016-era time zone, language),
and traps: #twitterdownload and other decoys, case variants, tags written in JSON
escapes, retweets and quotes, duplicates after a "reconnect", delete and limit notices,
and one torn line. With --truth it writes the expected per-minute counts (time,tag,
country,count) of #twitterdown under hashmon's counting rules.

Options --outage-start/--outage-minutes/--countries/--scale let you build other scenarios,
and --relapse-minutes/--relapse-after an outage that comes back after it ended.
`--quiet-week` writes instead a week of normal #twitterdown chatter (no outage) starting
2016-01-18: daily cycles, weekend dips and harmless bursts of 3 to 5 mentions, only the
posts that carry the tag (the rest does not matter to detection).
"""
import argparse, json, math, random, sys, datetime as dt

DAY = dt.datetime(2016, 1, 19, tzinfo=dt.timezone.utc)
DAY_MS = int(DAY.timestamp() * 1000)

# Country: (utc offset hours, share of traffic, languages, [(profile location, expected cc)],
#           [time zone names that map to the country], [(lat, lon) of cities])
C = {
 "BR": (-2, 0.14, ["pt"], ["São Paulo", "Rio de Janeiro, Brasil", "Belo Horizonte - MG", "Brasil", "Recife, PE",
        "Curitiba", "Porto Alegre, RS", "Salvador, Bahia", "🇧🇷", "Sampa", "Fortaleza, Ceará", "Brasília, DF",
        "sao paulo", "Manaus, Amazonas", "Campinas, SP"], ["Brasilia"], [(-23.55, -46.63), (-22.91, -43.2), (-19.92, -43.94)]),
 "PH": (8, 0.07, ["tl", "en"], ["Manila", "Quezon City, Philippines", "Cebu City", "Davao City", "Pilipinas 🇵🇭",
        "Makati City", "Metro Manila", "Pasig City, Metro Manila", "Philippines", "Taguig", "Caloocan"], [],
        [(14.6, 120.98), (10.32, 123.89), (7.07, 125.61)]),
 "GB": (0, 0.09, ["en"], ["London", "London, England", "Manchester, UK", "Glasgow, Scotland", "Birmingham, UK",
        "Leeds", "Cardiff, Wales", "United Kingdom", "Liverpool", "Bristol, England", "Newcastle upon Tyne", "UK"],
        ["London", "Edinburgh"], [(51.5, -0.12), (53.48, -2.24), (55.86, -4.25)]),
 "UG": (3, 0.01, ["en", "lg"], ["Kampala", "Kampala, Uganda", "Uganda", "Entebbe", "Gulu, Uganda", "Jinja",
        "Mbarara, Uganda"], [], [(0.35, 32.58), (0.05, 32.46)]),
 "DE": (1, 0.05, ["de"], ["Berlin", "München", "Hamburg, Deutschland", "Köln", "Frankfurt am Main", "Germany",
        "Stuttgart", "Düsseldorf, NRW", "Leipzig", "Dresden, Sachsen"], ["Berlin"], [(52.52, 13.4), (48.14, 11.58)]),
 "ZA": (2, 0.03, ["en", "af", "zu"], ["Johannesburg", "Cape Town, South Africa", "Durban", "Joburg",
        "Pretoria, Gauteng", "Mzansi", "South Africa", "Port Elizabeth", "Soweto"], ["Pretoria"],
        [(-26.2, 28.05), (-33.92, 18.42)]),
 "LT": (2, 0.005, ["lt"], ["Vilnius", "Kaunas", "Lietuva", "Vilnius, Lithuania", "Klaipėda", "Lithuania",
        "Šiauliai"], ["Vilnius"], [(54.69, 25.28), (54.9, 23.9)]),
 "US": (-5, 0.25, ["en", "es"], ["New York, NY", "Los Angeles, CA", "Chicago, IL", "Texas, USA", "Birmingham, AL",
        "Atlanta, GA", "Seattle, WA", "Miami, FL", "USA"], ["Eastern Time (US & Canada)", "Pacific Time (US & Canada)",
        "Central Time (US & Canada)"], [(40.71, -74.0), (34.05, -118.24)]),
 "CA": (-5, 0.03, ["en", "fr"], ["Toronto, Ontario", "London, Ontario", "Vancouver, BC", "Montreal", "Canada"],
        ["Atlantic Time (Canada)"], [(43.65, -79.38)]),
 "JP": (9, 0.12, ["ja"], ["東京", "Tokyo", "Osaka, Japan", "日本"], ["Tokyo", "Osaka"], [(35.68, 139.69)]),
 "ID": (7, 0.06, ["in"], ["Jakarta", "Indonesia", "Bandung, Indonesia"], ["Jakarta"], [(-6.2, 106.85)]),
 "IN": (5, 0.04, ["en", "hi"], ["Mumbai", "New Delhi, India", "Bangalore"], ["New Delhi", "Mumbai"], [(19.07, 72.88)]),
 "FR": (1, 0.03, ["fr"], ["Paris, France", "Lyon, France", "France"], ["Paris"], [(48.86, 2.35)]),
 "ES": (1, 0.02, ["es"], ["Madrid", "Barcelona, España", "Spain"], ["Madrid"], [(40.42, -3.7)]),
 "MX": (-6, 0.02, ["es"], ["Mexico City", "Guadalajara, Jalisco", "México"], ["Mexico City"], [(19.43, -99.13)]),
 "PT": (0, 0.01, ["pt"], ["Lisboa, Portugal", "Porto", "Portugal"], ["Lisbon"], [(38.72, -9.14)]),
 "NG": (1, 0.02, ["en"], ["Lagos, Nigeria", "Abuja", "Nigeria"], [], [(6.52, 3.38)]),
 "KE": (3, 0.01, ["en", "sw"], ["Nairobi, Kenya", "Mombasa", "Kenya"], ["Nairobi"], [(-1.29, 36.82)]),
 "AT": (1, 0.005, ["de"], ["Wien", "Vienna, Austria", "Graz"], ["Vienna"], [(48.21, 16.37)]),
}
NOWHERE = ["", "", "", "Earth", "everywhere", "in my head", "Worldwide", "somewhere over the rainbow", "online"]
# During the outage these countries report; weights give their relative volume.
OUTAGE = {"BR": 1.0, "PH": 0.7, "GB": 0.6, "DE": 0.25, "ZA": 0.2, "UG": 0.12, "LT": 0.1}
OTHERS_DURING_OUTAGE = {"US": 0.3, "JP": 0.05, "FR": 0.04, "??": 0.1}

WORDS = {
 "pt": "o a de que e não um para é com se na por mais as dos como mas foi ao ele das tem à seu sua ou ser quando muito já está eu também só pelo pela até isso ela entre era depois sem mesmo aos ter seus quem nas me esse eles estão você tinha foram essa num nem suas meu às minha têm numa pelos elas havia seja qual será nós tenho lhe deles essas esses pelas este fosse dele tu te vocês vos lhes meus minhas teu tua".split(),
 "en": "the be to of and a in that have it for not on with he as you do at this but his by from they we say her she or an will my one all would there their what so up out if about who get which go me when make can like time no just him know take people into year your good some could them see other than then now look only come its over think also back after use two how our work first well way even new want because any these give day most us".split(),
 "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde sei".split(),
 "tl": "ang ng sa na si ay mga at ko ako ka mo niya siya namin kami tayo kayo sila ito iyan iyon dito diyan doon hindi oo po opo salamat mahal kita bakit paano saan kailan".split(),
 "lt": "ir kad į su ne bet iš tai yra jis ji buvo kaip o ar jau dar tik labai kai mano savo apie dabar čia ten šiandien rytoj".split(),
 "ja": "の に は を た が で て と し れ さ ある いる も する から な こと として い や れる など なっ ない この ため その あっ よう また もの という あり まで られ なる へ か だ これ".split(),
 "es": "de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos".split(),
 "fr": "le de un être et à il avoir ne je son que se qui ce dans en du elle au pour pas que vous par sur faire plus dire me on mon lui nous comme mais pouvoir avec tout y aller voir en bien où sans tu ou leur homme si deux".split(),
 "af": "die van en in is het nie te dat met op vir hy sy wat ek was ons jy".split(),
 "zu": "futhi ukuthi noma kodwa ngoba uma lapho yebo cha ngiyabonga sawubona".split(),
 "lg": "era nga ne ku mu ba ye ki bwe nnyo webale oli otya".split(),
 "in": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena tersebut bisa ada mereka lebih".split(),
 "hi": "के है में की और से को का एक यह पर हैं".split(),
 "sw": "na ya wa kwa ni za la katika kuwa hiyo huo".split(),
}
OUTAGE_TEXT = {
 "pt": ["Twitter caiu?", "o twitter tá fora do ar", "alguém mais sem twitter?", "twitter morreu kkkk", "socorro o twitter"],
 "en": ["Is Twitter down for everyone?", "twitter is down again", "can't load my timeline", "Twitter not working", "who else"],
 "tl": ["down ang twitter", "ayaw gumana ng twitter", "sira twitter", "twitter down na naman"],
 "de": ["Twitter ist down", "Geht Twitter bei euch auch nicht?", "Twitter kaputt"],
 "lt": ["Twitter neveikia", "ar jums veikia twitter?"],
 "af": ["Twitter werk nie", "is twitter af?"], "zu": ["i-Twitter ayisebenzi"], "lg": ["Twitter teyakola"],
 "ja": ["ツイッター落ちてる"], "fr": ["Twitter est en panne"], "es": ["se cayó twitter"], "in": ["twitter error"],
 "hi": ["ट्विटर डाउन"], "sw": ["twitter haifanyi kazi"],
}
DECOYS = ["twitterdownload", "twitterdownunder", "twitter_down", "twitterdowntime", "twitterdowns", "TwitterDownloader"]
TAG_FORMS = ["twitterdown"] * 6 + ["TwitterDown"] * 3 + ["TWITTERDOWN", "Twitterdown", "TwitterDOWN"]
OTHER_TAGS = ["nowplaying", "music", "love", "news", "jobs", "BBB16", "ALDUB27thWeeksary", "GoT", "mtvstars",
              "Oscars", "tbt", "fail", "TeamFollowBack", "football", "PremierLeague", "Bundesliga", "Lietuva"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
LANG_ONE_COUNTRY = {"lt": "LT", "tl": "PH", "fil": "PH", "zu": "ZA", "xh": "ZA", "lg": "UG", "ja": "JP",
                    "ko": "KR", "th": "TH"}


def twitter_time(ms):
    t = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
    return f"{DAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} +0000 {t.year}"


class Gen:
    def __init__(self, args):
        self.a = args
        self.r = random.Random(args.seed)
        self.next_id = 689_000_000_000_000_000
        self.truth = {}
        self.recent_mentions = []
        self.users = {}
        self.out = open(args.out, "w", encoding="utf-8", newline="\n") if args.out != "-" else sys.stdout
        self.bytes = 0
        self.muted = False  # before --feed-from: generated (same random draws), not written

    def emit(self, line):
        if self.muted:
            return
        if self.a.format == "jetstream-v2":
            line = self.to_jetstream_v2(self.to_jetstream(line))
        elif self.a.format != "x-v1":
            line = self.to_jetstream(line) if self.a.format == "jetstream" else self.to_mastodon(line)
        if line is None:
            return
        self.out.write(line)
        self.out.write("\n")
        self.bytes += len(line.encode("utf-8")) + 1

    def to_jetstream(self, line):
        """The same post as a Bluesky Jetstream event (time_us rises with each event, as
        Jetstream assigns it at ingest). Notices other than deletes have no equivalent."""
        try:
            m = json.loads(line)
        except ValueError:
            return line  # a torn line stays torn
        self.js_seq = getattr(self, "js_seq", 0) + 1
        self.js_time = getattr(self, "js_time", 0)
        if "delete" in m:
            st = m["delete"]["status"]
            ms = int(m["delete"]["timestamp_ms"])
            self.js_time = max(self.js_time + 1, ms * 1000)
            ev = {"did": "did:plc:u%s" % st["user_id_str"], "time_us": self.js_time,
                  "kind": "commit", "commit": {"rev": "r%d" % self.js_seq, "operation": "delete",
                                               "collection": "app.bsky.feed.post", "rkey": st["id_str"]}}
            return json.dumps(ev, separators=(",", ":"))
        if "id_str" not in m:
            return None
        src = m.get("retweeted_status") or m
        text = (src.get("extended_tweet") or {}).get("full_text") or src.get("text", "")
        ms = int(m["timestamp_ms"])
        created = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        rec = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created}
        if m.get("lang") and m["lang"] != "und":
            rec["langs"] = [m["lang"]]
        self.js_time = max(self.js_time + 1, ms * 1000)
        ev = {"did": "did:plc:u%s" % m["user"]["id_str"], "time_us": self.js_time,
              "kind": "commit", "commit": {"rev": "r%d" % self.js_seq, "operation": "create",
                                           "collection": "app.bsky.feed.post", "rkey": m["id_str"],
                                           "record": rec, "cid": "c" + m["id_str"]}}
        return json.dumps(ev, ensure_ascii=False, separators=(",", ":"))

    def to_jetstream_v2(self, line):
        """A Jetstream event as Jetstream v2 frames it (subscribeEvents, proposal 0015): the
        commit's fields beside did, seq and time (RFC 3339, microseconds)."""
        try:
            ev = json.loads(line) if line is not None else None
        except ValueError:
            return line  # a torn line stays torn
        if ev is None:
            return None
        us = ev["time_us"]
        t = dt.datetime.fromtimestamp(us // 1_000_000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        t += ".%06dZ" % (us % 1_000_000)
        payload = {"$type": "network.bsky.jetstream.subscribeEvents#" + ev["kind"], "seq": self.js_seq,
                   "did": ev["did"], "time": t, "witnessedAt": t}
        payload.update(ev.get("commit", {}))
        return json.dumps({"$type": "message", "payload": payload}, ensure_ascii=False, separators=(",", ":"))

    def to_mastodon(self, line):
        """The same post as a Mastodon Status (ids rise with each status, as snowflake ids
        do). Only posts; the stream's delete events carry no more than an id."""
        try:
            m = json.loads(line)
        except ValueError:
            return line
        if "id_str" not in m:
            return None
        src = m.get("retweeted_status") or m
        text = (src.get("extended_tweet") or {}).get("full_text") or src.get("text", "")
        ms = int(m["timestamp_ms"])
        self.md_id = max(getattr(self, "md_id", 0) + 1, ms << 16)
        created = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        user = m["user"]
        ents = (src.get("extended_tweet") or {}).get("entities") or src.get("entities") or {}
        tags = [{"name": h["text"], "url": "https://example.social/tags/%s" % h["text"].lower()}
                for h in ents.get("hashtags", [])]
        st = {"id": str(self.md_id), "created_at": created, "language": None if m.get("lang") == "und" else m.get("lang"),
              "uri": "https://example.social/users/u%s/statuses/%s" % (user["id_str"], m["id_str"]),
              "content": "<p>%s</p>" % esc, "tags": tags,
              "account": {"id": user["id_str"], "acct": "u%s@example.social" % user["id_str"],
                          "note": "<p>%s</p>" % (user.get("location") or "")}}
        return json.dumps(st, ensure_ascii=False, separators=(",", ":"))

    def new_id(self):
        self.next_id += self.r.randint(1000, 90000)
        return self.next_id

    def user(self, cc):
        """Returns (user dict, expected cc from user evidence or None, method)."""
        r = self.r
        uid = r.randint(10_000, 4_000_000_000)
        if cc == "??":
            loc = r.choice(NOWHERE)
            return self.user_obj(uid, loc, None, "en"), None
        off, share, langs, locs, zones, cities = C[cc]
        x = r.random()
        zone = None
        if x < 0.55:
            loc = r.choice(locs)
        elif x < 0.8:
            loc = r.choice(NOWHERE)
            zone = r.choice(zones) if zones else None
        else:
            loc = r.choice(NOWHERE)
        if zone is None and r.random() < 0.3 and zones:
            zone = r.choice(zones)
        u = self.user_obj(uid, loc, zone, langs[0])
        if loc and loc not in NOWHERE:
            return u, cc
        if zone:
            return u, cc
        return u, None

    def user_obj(self, uid, loc, zone, lang):
        r = self.r
        name = "user%d" % (uid % 100000)
        return {"id": uid, "id_str": str(uid), "name": name.title(), "screen_name": name,
                "location": loc or None, "url": None,
                "description": " ".join(r.choice(WORDS["en"]) for _ in range(r.randint(0, 8))),
                "protected": False, "verified": r.random() < 0.01, "followers_count": r.randint(0, 5000),
                "friends_count": r.randint(0, 2000), "listed_count": r.randint(0, 50),
                "favourites_count": r.randint(0, 9000), "statuses_count": r.randint(1, 60000),
                "created_at": "Wed Mar 14 12:00:00 +0000 2012",
                "utc_offset": None if zone is None else 0, "time_zone": zone, "geo_enabled": r.random() < 0.3,
                "lang": lang, "contributors_enabled": False, "is_translator": False,
                "profile_background_color": "C0DEED",
                "profile_image_url": "http://pbs.twimg.com/profile_images/%d/a_normal.jpg" % uid,
                "default_profile": True, "default_profile_image": False, "following": None,
                "follow_request_sent": None, "notifications": None}

    def tweet(self, ms, cc, tags, text_lang=None, outage_text=False):
        """Builds one tweet dict and returns (tweet, expected country)."""
        r = self.r
        user, expected = self.user(cc)
        langs = C[cc][2] if cc in C else ["en"]
        lang = text_lang or r.choice(langs)
        place = geo = coords = None
        x = r.random()
        if cc in C and x < 0.03:
            place = {"id": "%016x" % r.getrandbits(64), "url": "https://api.twitter.com/1.1/geo/id/x.json",
                     "place_type": "city", "name": "City", "full_name": "City, Region", "country_code": cc,
                     "country": cc, "bounding_box": {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0]]]},
                     "attributes": {}}
            expected = cc
        elif cc in C and x < 0.05:
            lat, lon = r.choice(C[cc][5])
            lat += r.uniform(-0.05, 0.05)
            lon += r.uniform(-0.05, 0.05)
            geo = {"type": "Point", "coordinates": [round(lat, 5), round(lon, 5)]}
            coords = {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
            expected = cc
        if expected is None:
            expected = LANG_ONE_COUNTRY.get(lang)
        if outage_text:
            words = r.choice(OUTAGE_TEXT.get(lang, OUTAGE_TEXT["en"]))
        else:
            vocab = WORDS.get(lang, WORDS["en"])
            words = " ".join(r.choice(vocab) for _ in range(r.randint(4, 18)))
        parts = [words]
        hashtags = []
        for t in tags:
            start = len(" ".join(parts)) + 1
            parts.append("#" + t)
            hashtags.append({"text": t, "indices": [start, start + 1 + len(t)]})
        text = " ".join(parts)
        tid = self.new_id()
        tw = {"created_at": twitter_time(ms), "id": tid, "id_str": str(tid), "text": text,
              "source": "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
              "truncated": False, "in_reply_to_status_id": None, "in_reply_to_status_id_str": None,
              "in_reply_to_user_id": None, "in_reply_to_user_id_str": None, "in_reply_to_screen_name": None,
              "user": user, "geo": geo, "coordinates": coords, "place": place, "contributors": None,
              "is_quote_status": False, "retweet_count": 0, "favorite_count": 0,
              "entities": {"hashtags": hashtags, "urls": [], "user_mentions": [], "symbols": []},
              "favorited": False, "retweeted": False, "filter_level": "low", "lang": lang,
              "timestamp_ms": str(ms)}
        return tw, (expected or "??")

    def count_truth(self, ms, cc):
        minute = ms // 60000 * 60
        key = (minute, cc)
        self.truth[key] = self.truth.get(key, 0) + 1

    def background_rate(self, cc, ms):
        """Posts per minute for a country at this time (a daily cycle in local time)."""
        off, share = C[cc][0], C[cc][1]
        hour = ((ms - DAY_MS) / 3_600_000 + off) % 24
        cycle = 0.35 + 0.65 * (0.5 - 0.5 * math.cos((hour - 4) / 24 * 2 * math.pi)) ** 1.5
        return share * cycle

    def mention_rate(self, cc, ms):
        """#twitterdown mentions per minute: a trickle, plus the outage surge."""
        base = 0.004 if cc in OUTAGE else 0.002
        minute = (ms - self.a.outage_start_ms) / 60000
        w = 0.0
        if cc in self.a.countries:
            w = self.a.countries[cc] * self.a.scale
        elif cc == "??":
            w = OTHERS_DURING_OUTAGE["??"] * self.a.scale * self.a.others
        elif cc in OTHERS_DURING_OUTAGE:
            w = OTHERS_DURING_OUTAGE[cc] * self.a.scale * self.a.others
        rate = base + self.surge(minute, self.a.outage_minutes, w)
        if self.a.relapse_minutes:  # the outage comes back
            rate += self.surge(minute - self.a.outage_minutes - self.a.relapse_after,
                               self.a.relapse_minutes, w)
        return rate

    @staticmethod
    def surge(minute, length, w):
        """An outage's extra mentions per minute, `minute` after its onset: a 3-minute rise,
        `length` minutes of surge, then 8 minutes of decay."""
        if 0 <= minute < length:
            ramp = min(1.0, (minute + 1) / 3)
            return 40 * w * ramp * (0.75 + 0.25 * math.sin(minute / 9))
        if length <= minute < length + 8:
            left = 1 - (minute - length + 1) / 9
            return 40 * w * 0.25 * max(0.0, left)
        return 0.0

    def run(self):
        a, r = self.a, self.r
        countries = list(C) + ["??"]
        total_share = sum(C[c][1] for c in C)
        minutes = 24 * 60
        per_minute = a.posts / minutes
        dup_queue = []
        torn_written = False
        for m in range(minutes):
            t0 = DAY_MS + m * 60_000
            self.muted = t0 < a.feed_from_ms
            events = []
            # Background traffic (without the watched tag).
            for cc in C:
                lam = per_minute * self.background_rate(cc, t0) / total_share * 1.6
                for _ in range(self.poisson(lam)):
                    events.append((t0 + r.randrange(60_000), cc, "bg"))
            for cc in countries:
                lam = self.mention_rate(cc, t0)
                for _ in range(self.poisson(lam)):
                    events.append((t0 + r.randrange(60_000), cc, "mention"))
            events.sort()
            for ms, cc, kind in events:
                if kind == "bg":
                    self.background(ms, cc)
                else:
                    self.mention(ms, cc, dup_queue)
            # Duplicates resent after a "reconnect", a little later.
            while dup_queue and dup_queue[0][0] <= t0:
                self.emit(dup_queue.pop(0)[1])
            if m % 97 == 13:
                self.emit(json.dumps({"limit": {"track": r.randint(1, 900), "timestamp_ms": str(t0 + 59_000)}}))
            if m == 600 and not torn_written:
                self.emit('{"created_at":"Tue Jan 19 10:00:59 +0000 2016","id":6891,"id_str":"6891","text":"#twitter')
                torn_written = True
            if a.size_bytes and self.bytes >= a.size_bytes:
                break
        for _, line in dup_queue:
            self.emit(line)
        if a.size_bytes and self.bytes < a.size_bytes and not a.no_repeat:
            sys.stderr.write("warning: --size-mb not reached; raise --posts\n")
        self.out.flush()

    def poisson(self, lam):
        if lam <= 0:
            return 0
        if lam > 50:
            return max(0, int(self.r.gauss(lam, math.sqrt(lam)) + 0.5))
        l, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.r.random()
            if p <= l:
                return k
            k += 1

    def background(self, ms, cc):
        r = self.r
        tags = []
        x = r.random()
        if x < 0.12:
            tags = [r.choice(OTHER_TAGS)]
        elif x < 0.125:
            tags = [r.choice(DECOYS)]
        tw, _ = self.tweet(ms, cc, tags)
        if x > 0.9995:
            tw["text"] = tw["text"] + " twitterdown"  # the word without '#': not a tag
        self.emit(json.dumps(tw, ensure_ascii=False, separators=(",", ":")))
        if r.random() < 0.01:
            self.emit(json.dumps({"delete": {"status": {"id": tw["id"], "id_str": tw["id_str"],
                                  "user_id": tw["user"]["id"], "user_id_str": tw["user"]["id_str"]},
                                  "timestamp_ms": str(ms + 30_000)}}))

    def mention(self, ms, cc, dup_queue):
        r = self.r
        tag = r.choice(TAG_FORMS)
        extra = [r.choice(OTHER_TAGS + ["fail"])] if r.random() < 0.15 else []
        tags = [tag] + extra
        if r.random() < 0.05:
            tags.append(tag)  # the same tag twice still counts once
        tw, expected = self.tweet(ms, cc, tags, outage_text=True)
        style = r.random()
        line = None
        if style < 0.12 and self.recent_mentions:
            # A retweet: a post of its own for the retweeter; the original never counts again.
            orig = r.choice(self.recent_mentions)
            orig = orig.get("retweeted_status", orig)  # a retweet of a retweet repeats the original
            tw["text"] = "RT @%s: %s" % (orig["user"]["screen_name"], orig["text"])[:140]
            tw["retweeted_status"] = orig
            tw["entities"]["hashtags"] = [h for h in orig["entities"]["hashtags"]]
        elif style < 0.17:
            # A long post: the tag only in extended_tweet (past the 140-character cut).
            full = tw["text"]
            tw["truncated"] = True
            tw["text"] = full[:100] + "… https://t.co/abc"
            tw["entities"]["hashtags"] = []
            tw["extended_tweet"] = {"full_text": full + " " + " ".join(r.choice(WORDS["en"]) for _ in range(20)),
                                    "display_text_range": [0, len(full)],
                                    "entities": {"hashtags": [{"text": t, "indices": [0, 0]} for t in tags],
                                                 "urls": [], "user_mentions": [], "symbols": []}}
        elif style < 0.19:
            # Written with JSON escapes (as some clients do): must still be found.
            raw = json.dumps(tw, ensure_ascii=False, separators=(",", ":"))
            line = raw.replace('"#' + tag, '"\\u0023' + tag, 1).replace('#' + tag, '\\u0023' + tag, 1)
            line = line.replace('"text":"' + tag + '"', '"text":"\\u0074' + tag[1:] + '"', 1)
        if line is None:
            line = json.dumps(tw, ensure_ascii=False, separators=(",", ":"))
        self.emit(line)
        self.count_truth(ms, expected)
        if len(self.recent_mentions) > 50:
            self.recent_mentions.pop(0)
        self.recent_mentions.append(tw)
        if r.random() < 0.02:
            dup_queue.append((ms + r.randint(60_000, 600_000), line))
            dup_queue.sort(key=lambda x: x[0])

    def write_truth(self, path):
        with open(path, "w") as f:
            f.write("time,tag,country,count\n")
            for (minute, cc), n in sorted(self.truth.items()):
                t = dt.datetime.fromtimestamp(minute, dt.timezone.utc)
                f.write(f"{t:%Y-%m-%dT%H:%M:%SZ},twitterdown,{cc},{n}\n")


def quiet_week(a):
    """A week of normal chatter: per-country rates with a daily cycle in local time, lower
    at weekends, plus a few harmless bursts of 3-5 mentions a day."""
    g = Gen(a)
    r = g.r
    start = DAY_MS - 86_400_000  # Monday 2016-01-18
    # Mentions per minute at the daily peak: the big countries chatter a little all day.
    peak = {"BR": 0.6, "PH": 0.4, "GB": 0.4, "US": 0.8, "DE": 0.15, "ZA": 0.1, "UG": 0.03, "LT": 0.02,
            "JP": 0.1, "FR": 0.05, "??": 0.5}
    for m in range(7 * 24 * 60):
        t0 = start + m * 60_000
        weekday = (m // 1440) % 7  # 0 = Monday
        events = []
        for cc, top in peak.items():
            off = C[cc][0] if cc in C else 0
            hour = ((t0 - DAY_MS) / 3_600_000 + off) % 24
            cycle = 0.15 + 0.85 * (0.5 - 0.5 * math.cos((hour - 4) / 24 * 2 * math.pi)) ** 2
            lam = top * a.chatter * cycle * (0.6 if weekday >= 5 else 1.0)
            for _ in range(g.poisson(lam)):
                events.append((t0 + r.randrange(60_000), cc))
            # A harmless burst: someone's wifi is down and a few friends agree.
            if r.random() < 3 / 1440 * (1 if a.uniform_bursts else top / 0.6):
                for _ in range(r.randint(3, 5)):
                    events.append((t0 + r.randrange(90_000), cc))
        events.sort()
        for ms, cc in events:
            tw, _ = g.tweet(ms, cc, [r.choice(TAG_FORMS)], outage_text=True)
            g.emit(json.dumps(tw, ensure_ascii=False, separators=(",", ":")))
    g.out.flush()


def parse_countries(text):
    """"BR,LT:0.05,KE" -> {country: outage volume weight}."""
    weights = {}
    for item in text.split(","):
        cc, _, weight = item.partition(":")
        if cc not in C:
            sys.exit(f"gen-sample.py: --countries: {cc} is not one of {' '.join(sorted(C))}")
        weights[cc] = float(weight) if weight else OUTAGE.get(cc, 0.3)
    return weights


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--posts", type=int, default=1_000_000, help="background posts for the day (about)")
    p.add_argument("--size-mb", type=int, default=0, help="keep going until the file is this big")
    p.add_argument("--out", default="-")
    p.add_argument("--truth", help="write expected per-minute counts here")
    p.add_argument("--seed", type=int, default=20160119)
    p.add_argument("--outage-start", default="08:15", help="UTC HH:MM")
    p.add_argument("--outage-minutes", type=int, default=105)
    p.add_argument("--countries", default="BR,PH,GB,UG,DE,ZA,LT",
                   help="countries that report the outage, each CC or CC:WEIGHT (its volume: BR's is "
                        "1.0, LT's 0.1; the seven of 2016 have theirs, any other country generated "
                        "here, such as US, JP or KE, defaults to 0.3)")
    p.add_argument("--scale", type=float, default=1.0, help="outage volume multiplier")
    p.add_argument("--others", type=float, default=1.0,
                   help="how much the US, JP, FR and unattributed posters join the outage (0: only "
                        "--countries report it, as in a local outage)")
    p.add_argument("--relapse-after", type=int, default=60,
                   help="with --relapse-minutes: minutes from the outage's end to its return")
    p.add_argument("--relapse-minutes", type=int, default=0,
                   help="the outage comes back (a second wave) for this long (0: it does not)")
    p.add_argument("--quiet-week", action="store_true", help="a week of normal chatter, no outage")
    p.add_argument("--chatter", type=float, default=1.0,
                   help="--quiet-week: multiply every country's normal chatter by this (bursts unchanged)")
    p.add_argument("--uniform-bursts", action="store_true",
                   help="--quiet-week: every country, however quiet, has three bursts a day "
                        "(by default bursts come in proportion to a country's chatter)")
    p.add_argument("--feed-from", default="00:00",
                   help="UTC HH:MM: write nothing before it, as a feed that began then (a cold start); "
                        "the day is generated the same, and the truth file counts all of it")
    p.add_argument("--format", choices=["x-v1", "jetstream", "jetstream-v2", "mastodon"], default="x-v1",
                   help="wire format: X API v1.1 (default), Bluesky Jetstream events (v1, or v2's "
                        "subscribeEvents messages) or Mastodon statuses "
                        "(the truth file is for x-v1 only)")
    a = p.parse_args()
    h, m = a.outage_start.split(":")
    a.outage_start_ms = DAY_MS + (int(h) * 60 + int(m)) * 60_000
    h, m = a.feed_from.split(":")
    a.feed_from_ms = DAY_MS + (int(h) * 60 + int(m)) * 60_000
    a.countries = parse_countries(a.countries)
    a.size_bytes = a.size_mb * 1_000_000
    a.no_repeat = False
    if a.size_bytes:
        a.posts = max(a.posts, a.size_mb * 1400)
    if a.quiet_week:
        quiet_week(a)
        return
    g = Gen(a)
    g.run()
    if a.truth:
        g.write_truth(a.truth)


if __name__ == "__main__":
    main()
