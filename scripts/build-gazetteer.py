#!/usr/bin/env python3
"""Builds data/countries/gazetteer.tsv, the place names hashmon matches in profile locations.

Run by a developer when the sources change (the output is committed):
    apt-get install iso-codes unicode-cldr-core wamerican wbrazilian
    python3 scripts/build-gazetteer.py > data/countries/gazetteer.tsv

Sources (see data/countries/LICENSES.md):
  - data/countries/country_names.json (iso-codes LGPL-2.1+, CLDR Unicode-3.0, i18n-iso-countries MIT)
  - data/countries/cities15000_seven_countries.csv (GeoNames, CC-BY 4.0)
  - data/countries/cities100000_world.csv (GeoNames, CC-BY 4.0; scripts/extract-world-cities.py):
    the namesakes abroad of watched-country cities
  - Debian iso-codes: /usr/share/iso-codes/json/iso_3166-{1,2}.json and the iso_3166-1
    gettext catalogues, for names of every country in the languages of the watched countries
    and their neighbours (LGPL-2.1+)
  - Unicode CLDR (Debian unicode-cldr-core, /usr/share/unicode/cldr; Unicode-3.0): every
    country's name in its official languages ("Magyarország", "日本", "Россия"), and the city
    each IANA time zone is named after (data/countries/zone.tab) in English and in its
    country's official languages ("Bucharest", "București", "Москва", "東京"), so that people
    abroad decide their own country; names that are everyday words in Debian's English and
    Brazilian Portuguese word lists (wamerican, wbrazilian) are left out
  - the CURATED tables below, written for hashmon (nicknames, slang, big cities abroad)

Columns: name, country (ISO alpha-2), kind (country|subdivision|city|code), population.
Names are written as people write them; hashmon normalises both sides at load time
and treats names of three characters or fewer as codes (trusted only as a trailing token).
"""
import csv, gettext, json, os, sys, unicodedata
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "countries")
ISO = "/usr/share/iso-codes/json"
CLDR = "/usr/share/unicode/cldr/common"
WATCHED = ["BR", "PH", "GB", "UG", "DE", "ZA", "LT"]
LANGS = ["pt", "pt_BR", "de", "lt", "es", "fr", "af", "fil", "tl", "zu", "xh"]
SUBDIVISION_COUNTRIES = WATCHED + ["US", "CA", "AU", "NZ", "IE", "IN", "NG", "KE", "PT", "AT", "CH", "MX", "AR"]
# Subdivision codes trusted as a trailing token ("Austin, TX"). Others collide too often.
CODE_COUNTRIES = ["US", "BR", "CA", "AU"]

# Big or often-written places outside the watched countries, so that "Paris", "Lagos" or
# "Toronto" decide their own country instead of falling through to weaker evidence, and
# namesakes of watched-country cities ("London, Ontario", "Perth") resolve by size. The last
# line gives watched-country cities the short name people write and GeoNames does not carry
# ("Newcastle" for Newcastle upon Tyne), so that it meets its namesakes abroad by size.
CURATED_CITIES = """
US New York 8400000|NYC 8400000|Los Angeles 3900000|LA 3900000|Chicago 2700000|Houston 2300000|Phoenix 1600000
US Philadelphia 1600000|San Antonio 1400000|San Diego 1400000|Dallas 1300000|San Francisco 870000|SF 870000
US Austin 960000|Seattle 740000|Boston 690000|Miami 450000|Atlanta 500000|Washington DC 690000|DC 690000
US Las Vegas 640000|Denver 710000|Detroit 640000|Orlando 300000|Brooklyn 2600000|Manhattan 1600000|Bronx 1400000
US Birmingham 200000|Cambridge 118000|Portland 650000|Nashville 690000|Honolulu 350000|Newark 310000
CA Toronto 2800000|Montreal 1700000|Vancouver 670000|Ottawa 1000000|Calgary 1300000|London 400000|Hamilton 570000
AU Sydney 5300000|Melbourne 5000000|Brisbane 2500000|Perth 2100000|Adelaide 1400000|Canberra 430000
NZ Auckland 1700000|Wellington 215000|Christchurch 380000
IE Dublin 1200000|Cork 210000|Galway 80000
FR Paris 2100000|Marseille 870000|Lyon 520000|Toulouse 490000|Nice 340000
ES Madrid 3300000|Barcelona 1600000|Valencia 800000|Sevilla 690000|Seville 690000
PT Lisboa 550000|Lisbon 550000|Porto 230000|Braga 190000|Coimbra 140000
IT Roma 2800000|Rome 2800000|Milano 1400000|Milan 1400000|Napoli 960000|Naples 960000|Torino 870000
NL Amsterdam 870000|Rotterdam 650000|Den Haag 550000
BE Brussels 1200000|Bruxelles 1200000|Brussel 1200000|Antwerp 530000
AT Wien 1900000|Vienna 1900000|Graz 290000|Salzburg 155000|Linz 205000|Innsbruck 130000
CH Zurich 420000|Zürich 420000|Geneva 200000|Genf 200000|Basel 180000|Bern 140000|Lausanne 140000
PL Warszawa 1800000|Warsaw 1800000|Krakow 780000|Kraków 780000|Gdansk 470000
LV Riga 630000|Rīga 630000
EE Tallinn 440000
BY Minsk 2000000
RU Moscow 12000000|Moskva 12000000|Saint Petersburg 5400000|Kaliningrad 490000
UA Kyiv 2900000|Kiev 2900000
DK Copenhagen 800000|København 800000
SE Stockholm 980000
NO Oslo 700000
FI Helsinki 650000
CZ Prague 1300000|Praha 1300000
GR Athens 660000
TR Istanbul 15000000|Ankara 5600000
NG Lagos 15000000|Abuja 1200000|Port Harcourt 1900000|Ibadan 3600000|Naija 1000000
KE Nairobi 4400000|Mombasa 1200000|Kisumu 400000
TZ Dar es Salaam 4400000|Arusha 420000|Dodoma 410000
RW Kigali 1100000
GH Accra 2300000|Kumasi 3300000
ZW Harare 1500000|Bulawayo 650000
ZM Lusaka 2500000
BW Gaborone 250000
NA Windhoek 430000
LS Maseru 330000
MZ Maputo 1100000
EG Cairo 10000000|Alexandria 5200000
ET Addis Ababa 3400000
SS Juba 530000
CD Kinshasa 15000000
IN Mumbai 12400000|Delhi 11000000|New Delhi 250000|Bangalore 8400000|Bengaluru 8400000|Chennai 7000000|Kolkata 4500000|Hyderabad 6800000
PK Karachi 14900000|Lahore 11100000|Islamabad 1000000
CN Beijing 21500000|Shanghai 24000000|Hong Kong 7400000
HK HK 7400000
JP Tokyo 14000000|Osaka 2700000
KR Seoul 9700000
SG Singapore 5600000
MY Kuala Lumpur 1800000|KL 1800000
ID Jakarta 10500000|Bali 4300000
TH Bangkok 10500000
VN Hanoi 8000000|Hà Nội 8000000|Ho Chi Minh City 9000000|Saigon 9000000
IL Tel Aviv 460000|Haifa 285000
AL Tirana 420000
EC Quito 2000000
BH Manama 160000
YE Sanaa 2500000
MU Port Louis 150000
CU Havana 2100000
TW Taipei 2600000
AE Dubai 3300000|Abu Dhabi 1500000
SA Riyadh 7600000|Jeddah 4700000
QA Doha 1200000
MX Mexico City 9200000|Ciudad de Mexico 9200000|CDMX 9200000|Guadalajara 1500000
AR Buenos Aires 3000000
CL Santiago 6300000
CO Bogota 7400000|Bogotá 7400000
PE Lima 9700000
VE Caracas 2000000
UY Montevideo 1300000
PY Asuncion 520000|Asunción 520000
GB Newcastle 300000
"""

# Nicknames, slang, regions and codes for the watched countries (and a few neighbours)
# that no official list carries.
CURATED_ALIASES = """
BR subdivision Sampa|Rio|Floripa|Beagá|BH|Poa|Sampa City|Cidade Maravilhosa|Nordeste|Amazônia|Terra Brasilis|Brasa|Brazuca|Brasilzão|Salvador da Bahia|Minas|Sul do Brasil
PH subdivision Metro Manila|MNL|NCR|Luzon|Visayas|Mindanao|Pinas|Pinoy|Philippine|Phils|Manila City|Cebu City|Davao City|QC|Makati City|BGC|Bonifacio Global City
GB subdivision England|Scotland|Wales|Northern Ireland|Cymru|Alba|Britain|Great Britain|UK|U.K.|Blighty|Brum|Londres|Londra|Ldn|LDN|Manny|Mancunian|Scouse|Geordie|Yorkshire|Cornwall|Kent|Essex|Devon|Midlands|West Midlands|East Midlands|Greater London|Greater Manchester
UG subdivision KLA|Kampala City|Pearl of Africa|Buganda|Ugandan
DE subdivision Deutschland|BRD|Bayern|Bavaria|NRW|Nordrhein-Westfalen|Ruhrgebiet|Ruhrpott|Schwabenland|Pott|München|Muenchen|Munich|Köln|Koeln|Cologne|Nürnberg|Nuremberg|Frankfurt am Main|Frankfurt|Hannover|Hanover
ZA subdivision Joburg|Jozi|Jhb|JHB|Egoli|Mzansi|Mzansi Afrika|Kaapstad|Cape Town|CPT|Durbs|DBN|KZN|Gqeberha|Pta|Tshwane|Soweto|RSA|South African
LT subdivision Lietuva|Lithuanian|Vilnius City|Kaunas City
US subdivision USA|U.S.A.|US|U.S.|United States|America|Estados Unidos|EUA|EEUU|Vereinigte Staaten|JAV|Jungtinės Amerikos Valstijos|Cali|SoCal|NorCal|Bay Area|Silicon Valley|Midwest|New England|PNW
CA subdivision Canadá|Kanada
AU subdivision Aussie|Oz|Straya
KE subdivision Kenya|Kenyan
NG subdivision Nigeria|Nigerian|Lagos State
"""

# Codes a user types after a city or alone ("São Paulo, SP", "Manchester UK").
CURATED_CODES = """
BR BR|BRA
PH PH|PHL|PHI|PHILS
GB UK|GB|GBR|ENG
UG UG|UGA
DE DE|DEU|GER
ZA ZA|ZAF|RSA
LT LT|LTU
US USA|US
"""


# Regions that name no single country: they decide "??" and block weaker evidence.
CURATED_REGIONS = """Europe|Africa|Asia|South America|Latin America|América Latina|North America|Central America|Middle East|Scandinavia|Caribbean|Balkans|West Africa|East Africa|Southern Africa|Southeast Asia|Oceania|Europa|Afrika|Ásia|Asien|Südamerika|Lateinamerika|América do Sul|Sudamérica|Nordamerika|Mittlerer Osten"""


def fold(name):
    """Rough normalisation, only to spot collisions here (hashmon normalises with ICU)."""
    d = unicodedata.normalize("NFKD", name)
    return " ".join("".join(c for c in d if not unicodedata.combining(c)).casefold().replace("-", " ").split())


def big_places():
    """Names of big cities and of subdivisions: a translated country name that equals one
    ("Salvador" is El Salvador in French) would pull that city's users abroad."""
    names = set()
    with open(os.path.join(DATA, "cities15000_seven_countries.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            if int(r["population"]) >= 100_000:
                names.add(fold(r["name"]))
    for line in CURATED_CITIES.strip().splitlines():
        for item in line.split(" ", 1)[1].split("|"):
            names.add(fold(item.rsplit(" ", 1)[0]))
    iso2 = json.load(open(os.path.join(ISO, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
    for s in iso2:
        if s["code"].split("-")[0] in SUBDIVISION_COUNTRIES:
            names.add(fold(s["name"].split(" (")[0]))
    return names


# Time zones of places nobody lives in, or that name no country people write.
ZONE_SKIP_COUNTRIES = {"AQ", "UM"}
# Names from CLDR that are also everyday words (in the English and Brazilian Portuguese word
# lists, Debian wamerican and wbrazilian: "Oral" in Kazakhstan, "Ísland" folded) or first
# names are left out: alone in a location they more likely mean the word or the person. These
# are the ones the word lists miss.
NOT_PLACES = {"christmas", "easter", "wake", "midway", "resolute", "regina", "dawson", "creston",
              "stanley", "jersey", "guernsey", "reunion", "victoria", "center", "knox", "nome",
              "mahe", "casey", "davis", "palmer", "troll", "cocos", "chatham", "kanton", "chita",
              "maurice", "wallis", "lindeman"}
WORD_LISTS = ["/usr/share/dict/american-english", "/usr/share/dict/brazilian"]
# CLDR's officialStatus values that make a language a country's own.
OFFICIAL = {"official", "de_facto_official"}


def everyday_words(paths):
    """The lower-case words of these word lists, folded."""
    words = set()
    for path in paths:
        if not os.path.exists(path):
            sys.exit(f"build-gazetteer.py: {path} is missing: apt-get install wamerican wbrazilian")
        with open(path, encoding="utf-8", errors="replace") as f:
            words.update(fold(w) for w in f.read().split() if w.islower())
    return words


def cldr_file(locale):
    """The CLDR main file of a locale, or of its language when CLDR has no file for it."""
    for name in (locale, locale.split("_")[0]):
        path = os.path.join(CLDR, "main", name + ".xml")
        if os.path.exists(path):
            return ET.parse(path).getroot()
    return None


def official_languages():
    """country -> the locales CLDR says are official there ("hu"; "zh_Hant" in TW)."""
    root = ET.parse(os.path.join(CLDR, "supplemental", "supplementalData.xml")).getroot()
    out = {}
    for t in root.iter("territory"):
        langs = [lp.get("type") for lp in t.iter("languagePopulation") if lp.get("officialStatus") in OFFICIAL]
        if langs:
            out[t.get("type")] = langs
    return out


def cldr_names(locale_root):
    """(country -> names, zone -> exemplar city) of one CLDR locale."""
    countries, cities = {}, {}
    if locale_root is None:
        return countries, cities
    for t in locale_root.iterfind("localeDisplayNames/territories/territory"):
        countries.setdefault(t.get("type"), []).append(t.text)
    for z in locale_root.iterfind("dates/timeZoneNames/zone"):
        city = z.find("exemplarCity")
        if city is not None and city.text and city.get("alt") is None:
            cities[z.get("type")] = city.text
    return countries, cities


def cldr_rows(taken):
    """Countries in their own languages and the cities time zones are named after, from CLDR;
    a name that `taken` (folded name -> countries) already gives another country is left out,
    so that nothing decided before changes."""
    if not os.path.isdir(CLDR):
        sys.exit("build-gazetteer.py: CLDR is missing: apt-get install unicode-cldr-core")
    words = NOT_PLACES | everyday_words(WORD_LISTS)
    iso = {c["alpha_2"] for c in json.load(open(os.path.join(ISO, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]}
    official = official_languages()
    zones = []
    with open(os.path.join(DATA, "zone.tab"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                cc, _, zone = line.rstrip("\n").split("\t")[:3]
                # Three-part ids (America/Indiana/Knox) are small towns of a big country.
                if cc not in ZONE_SKIP_COUNTRIES and zone.count("/") == 1:
                    zones.append((zone, cc))
    names = {}
    def names_of(locale):
        if locale not in names:
            names[locale] = cldr_names(cldr_file(locale))
        return names[locale]
    out = []
    def add(name, cc, kind):
        if not name:
            return
        key = fold(name)
        if key not in words and taken.get(key, {cc}) <= {cc}:
            out.append((name, cc, kind, 0))
    for cc in sorted(iso):
        for locale in official.get(cc, []):
            for name in names_of(locale)[0].get(cc, []):
                add(name, cc, "country")
    # A city by its English name and by its own: exonyms in other languages would collide with
    # towns no table here knows (Portuguese "Granada" is Grenada's capital).
    for zone, cc in zones:
        add(names_of("root")[1].get(zone, zone.split("/")[1].replace("_", " ")), cc, "city")
        for locale in ["en"] + official.get(cc, []):
            add(names_of(locale)[1].get(zone), cc, "city")
    return out


def namesakes_abroad(watched_city_names):
    """Cities abroad of 100,000 people or more named like a watched-country city: "Richmond"
    is Virginia's (220,000) as well as South Africa's (32,000), "Colombo" Sri Lanka's capital
    as well as a town in Paraná. hashmon then gives the name to a namesake only when it is
    much bigger than the others, and says "??" otherwise. Other cities abroad are left out:
    first names ("Charlotte", "Aurora") would take their owners abroad. A namesake that is an
    English word is left out too, since a city this big is found inside a longer location as
    well ("Salé" would take a "garage sale" to Morocco); one that is a Portuguese word
    ("Sacramento", "Formosa") is kept: the word already names the small Brazilian town."""
    english = everyday_words(WORD_LISTS[:1])
    out = []
    with open(os.path.join(DATA, "cities100000_world.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(line for line in f if not line.startswith("#")):
            key = fold(r["name"])
            if key in watched_city_names and key not in english:
                out.append((r["name"], r["country"], "city", int(r["population"])))
    return out


def rows():
    out = []
    collisions = big_places()
    names = json.load(open(os.path.join(DATA, "country_names.json"), encoding="utf-8"))["countries"]
    for cc, c in names.items():
        for n in c["names"]:
            kind = "code" if len(n["name"]) <= 3 and n["name"].isupper() else "country"
            out.append((n["name"], cc, kind, 0))
        for n in c.get("curated_aliases", []):
            kind = "code" if len(n["name"]) <= 3 and n["name"].replace(".", "").isupper() else "country"
            out.append((n["name"], cc, kind, 0))
    iso1 = json.load(open(os.path.join(ISO, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]
    # A translation that is an English word would take that word's users abroad: German
    # "Island" (Iceland) took "Long Island" and "Staten Island" to IS.
    english = everyday_words(WORD_LISTS[:1])
    translations = []
    for lang in LANGS:
        try:
            translations.append(gettext.translation("iso_3166-1", localedir="/usr/share/locale", languages=[lang]))
        except OSError:
            pass
    for c in iso1:
        cc = c["alpha_2"]
        for key in ("name", "official_name", "common_name"):
            if key in c:
                out.append((c[key], cc, "country", 0))
                for t in translations:
                    tr = t.gettext(c[key])
                    if tr != c[key] and fold(tr) not in collisions and fold(tr) not in english:
                        out.append((tr, cc, "country", 0))
    ne = json.load(open(os.path.join(DATA, "ne_110m_admin_0_countries.geojson"), encoding="utf-8"))
    fix = {"FRA": "FR", "NOR": "NO", "KOS": "XK"}
    for f in ne["features"]:
        p = f["properties"]
        cc = p["ISO_A2"] if p["ISO_A2"] != "-99" else fix.get(p["ADM0_A3"])
        if not cc:
            continue
        for key in ("NAME", "NAME_LONG", "ADMIN", "FORMAL_EN", "NAME_ALT"):
            if p.get(key):
                out.append((p[key], cc, "country", 0))
    iso2 = json.load(open(os.path.join(ISO, "iso_3166-2.json"), encoding="utf-8"))["3166-2"]
    for s in iso2:
        cc, sub = s["code"].split("-", 1)
        if cc not in SUBDIVISION_COUNTRIES:
            continue
        name = s["name"].split(" (")[0]
        out.append((name, cc, "subdivision", 0))
        if cc in CODE_COUNTRIES and sub.isalpha():
            out.append((sub, cc, "code", 0))
    with open(os.path.join(DATA, "cities15000_seven_countries.csv"), encoding="utf-8") as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        for r in reader:
            out.append((r["name"], r["country"], "city", int(r["population"])))
            # Filipinos write "Caloocan" for "Caloocan City" and the other way round.
            if r["country"] == "PH" and r["name"].endswith(" City"):
                out.append((r["name"][:-5], "PH", "city", int(r["population"])))
            elif r["country"] == "PH":
                out.append((r["name"] + " City", "PH", "city", int(r["population"])))
    for line in CURATED_CITIES.strip().splitlines():
        cc, rest = line.split(" ", 1)
        for item in rest.split("|"):
            name, pop = item.rsplit(" ", 1)
            out.append((name, cc, "city", int(pop)))
    # (After the curated cities: where both name a city, the curated population stands.)
    out += namesakes_abroad({fold(n) for n, cc, kind, _ in out if kind == "city" and cc in WATCHED})
    for line in CURATED_ALIASES.strip().splitlines():
        cc, kind, rest = line.split(" ", 2)
        for name in rest.split("|"):
            out.append((name, cc, kind, 0))
    for line in CURATED_CODES.strip().splitlines():
        cc, rest = line.split(" ", 1)
        for name in rest.split("|"):
            out.append((name, cc, "code", 0))
    for name in CURATED_REGIONS.split("|"):
        out.append((name, "??", "region", 0))
    taken = {}
    for name, cc, _, _ in out:
        taken.setdefault(fold(name), set()).add(cc)
    return out + cldr_rows(taken)


def main():
    seen = set()
    w = sys.stdout
    w.write("# hashmon gazetteer: generated by scripts/build-gazetteer.py; see LICENSES.md for sources\n")
    w.write("name\tcountry\tkind\tpopulation\n")
    for name, cc, kind, pop in rows():
        name = name.strip()
        if not name or "\t" in name:
            continue
        key = (name, cc, kind)
        if key in seen:
            continue
        seen.add(key)
        w.write(f"{name}\t{cc}\t{kind}\t{pop}\n")


if __name__ == "__main__":
    main()
