"""Writes a deflated zip to an unseekable stream, as Python's zipfile does for pipes: every
member's sizes follow its data in a data descriptor (general-purpose flag bit 3).
Usage: zip_to_pipe.py OUT.zip FILE..."""
import io
import sys
import zipfile


class Pipe(io.RawIOBase):
    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def write(self, b):
        self.f.write(b)
        return len(b)


with open(sys.argv[1], "wb") as f, zipfile.ZipFile(Pipe(f), "w", zipfile.ZIP_DEFLATED) as z:
    for path in sys.argv[2:]:
        z.write(path)
