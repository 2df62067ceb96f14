"""When a species term that is also an everyday word counts as a species mention.

The rule (tested in tests/test_matcher.py):

1. A term is *weak* when it is an everyday word or phrase (``EVERYDAY_TERMS``: tiger,
   python, ivory, coral, bear, shark, white gold ...), a code word or slang (innocent
   words by design), or a single Latin-script token of four letters or fewer (RH, CB, lin).
2. A weak Latin-script match is dropped when a *blocker* word stands within two tokens
   of it: "tiger **print**", "**turtle** neck", "ivory **colour**", "bear **plush**",
   "python **book**". Blockers say the text is about a pattern, a colour, a toy,
   software or a brand, not an animal or its parts. Full common names and product terms
   are dropped only by the narrower ``NOT_THE_ANIMAL_WORDS`` ("Bengal tiger plush toy"),
   so that "Asian arowana with tank" still counts.
3. A weak match that survives needs context: another, non-weak species mention in the
   same text (a full common name such as "Bengal tiger", a scientific name, a product
   term such as "tiger bone wine"), or a sale context (a price, a currency, "for sale",
   "WTS", "harga", "出售", "ขาย", or a watchlist context term such as "CB"/"WC").
"""

from __future__ import annotations

import re

# Folded (see text_folding.fold / term_key) everyday words and phrases that are also
# species terms. Code words and slang are weak anyway; they need not be listed.
EVERYDAY_TERMS = frozenset({
    "tiger", "tigers", "tigre", "tigres", "python", "pythons", "ivory", "ivoire", "marfil",
    "turtle", "turtles", "bear", "bears", "coral", "corals", "lion", "lions", "singa",
    "leopard", "leopards", "panthere", "jaguar", "cheetah", "caracal", "hippo",
    "hippopotamus", "rhino", "rhinos", "rhinoceros", "badak", "walrus", "komodo", "tokay",
    "mako", "beluga", "sturgeon", "sturgeons", "caviar", "black caviar", "parrot", "parrots",
    "perroquet", "loro", "hornbill", "hornbills", "orchid", "orchids", "orchidee",
    "orquidea", "cactus", "cacti", "rosewood", "rosewoods", "palisandre", "shark", "sharks",
    "requin", "tiburon", "seahorse", "seahorses", "hippocampus", "hippocampe",
    "tortoiseshell", "ramin", "peregrine", "kasturi", "sterlet", "narwhal", "panda",
    "fish maw", "swim bladder", "libation cup", "xiang ya", "hong mu", "xiong dan",
    "象牙", "海马", "老虎", "红木", "沉香", "兰花", "仙人掌", "鲨鱼", "犀牛", "鹦鹉", "狮子",
    "麝", "麝香", "鲟鱼", "鱼子酱", "hoa lan", "lan hua", "anggrek", "kaktus", "cycad",
    "cycads", "sea horse", "gibbon", "gibbons", "lin",
    "木香", "画眉", "甘松", "天麻", "石斛", "แรด", "ฉลาม", "นกแก้ว", "กล้วยไม้", "กระบองเพชร",
    "ตุ๊กแก", "เสือดาว", "สิงโต", "ชะนี", "ลิ่น",
    "caoba", "costus", "leopardo", "guepardo", "hippopotame", "hipopotamo", "varan",
    "doi moi",  # Vietnamese đồi mồi (hawksbill), folded, is also Đổi Mới
})

# Next to any common name or product term: the thing is a picture, a toy or a copy.
NOT_THE_ANIMAL_WORDS = frozenset({
    "print", "printed", "prints", "shirt", "tshirt", "costume", "onesie", "plush",
    "plushie", "toy", "toys", "stuffed", "teddy", "lego", "keychain", "sticker", "stickers",
    "poster", "mug", "faux", "fake", "replica", "imitation", "cartoon", "emoji",
    # the same in Spanish, French and Indonesian listings
    "estampado", "camiseta", "peluche", "juguete", "jouet", "imprime", "motif", "boneka",
    "kaos",
})

# Next to an everyday word: pattern, colour, toy, brand, software, food or another animal.
BLOCKER_WORDS = NOT_THE_ANIMAL_WORDS | frozenset({
    # patterns and clothes
    "pattern", "stripe", "stripes", "striped", "tee", "sweater", "jumper", "hoodie", "neck", "costume", "onesie", "slipper",
    "slippers", "socks", "leggings", "jersey", "dress", "lace", "bridal", "wedding", "satin",
    "fabric", "yarn", "wool", "cotton", "linen", "curtain", "curtains", "wallpaper",
    "vestido", "robe", "couleur",
    # colours and finishes
    "colour", "color", "coloured", "colored", "colours", "colors", "cream", "beige", "pink",
    "peach", "paint", "stain", "finish", "effect", "lipstick", "nail", "polish", "acetate",
    "glasses", "sunglasses", "frames",
    # toys and decorations
    "doll", "candle", "soap", "gummy", "gummies", "resin", "mask",
    # not the real thing
    "synthetic", "artificial", "vegan",
    # books and software
    "book", "books", "ebook", "programming", "code", "coding", "developer", "tutorial",
    "course", "script", "django", "monty", "software", "3d", "cad", "plugin",
    # brands, names, food, places and other species
    "balm", "beer", "lily", "lilies", "prawn", "prawns", "shrimp", "barb", "barbs", "eye",
    "eyes", "woods", "king", "mane", "coast", "tower", "vacuum", "tank", "vodka", "wine",
    "tokaji", "express", "linings", "nicola", "gecko", "salmon", "lumpfish", "trout", "cat",
    "kitten", "team", "club", "fc", "fan", "festival", "nagaland", "silk", "scent",
    "perfume", "fragrance", "cake", "cookie", "drone", "os", "car", "cars", "model", "models",
    "diecast", "dvd", "ear", "clips",
})

BLOCKER_WINDOW = 2

# Unspaced-script terms that are also part of common words: no mention inside those words.
UNSPACED_FALSE_FRIENDS = {
    "ลิ่น": ("กลิ่น",),  # pangolin inside "smell"
    "画眉": ("画眉笔",),  # hwamei inside "eyebrow pencil"
    "海马": ("海马体", "海马汽车"),  # seahorse inside "hippocampus (brain)" and Haima cars
    "象牙": ("象牙白", "象牙色"),  # ivory inside "ivory white", "ivory colour"
}

_PRICE = re.compile(
    r"[$€£¥฿₫₱₹]\s?\d"
    r"|\d[\d.,]*\s?(?:[$€£¥฿₫₱₹元块]|jt\b|juta\b|ribu\b|rb\b|tr\b|trieu\b)"
    # "500k" is a price, "18k" is gold purity
    r"|(?<![\d.,])(?!(?:9|10|14|18|22|24)\s?k\b)\d[\d.,]*\s?k\b"
    r"|\b(?:usd|eur|gbp|rmb|cny|yuan|idr|rp|thb|baht|vnd|myr|rm|php|inr|aud|sgd|hkd|mxn|brl"
    r"|zar|ngn|kes)\s?\d"
    r"|\d\s?(?:usd|eur|gbp|rmb|cny|yuan|idr|thb|baht|vnd|dong|myr|php|inr|aud|sgd|hkd|mxn"
    r"|brl|zar|ngn|kes)\b"
)
SALE_WORDS = frozenset({
    "sale", "sell", "selling", "seller", "wts", "wtb", "price", "prices", "priced", "obo",
    "dm", "pm", "inbox", "whatsapp", "telegram", "wechat", "cod", "harga", "jual", "dijual",
    "nego", "ongkir", "lelang", "precio", "venta", "vendo", "prix", "vends", "vendre",
})
_UNSPACED_SALE = re.compile("出售|价格|价钱|包邮|微信|现货|ขาย|ราคา|ส่งฟรี")


def is_weak(key: str, kind: str) -> bool:
    """Whether a term (by its folded key) needs context before it counts."""
    if kind in ("code_word", "slang") or key in EVERYDAY_TERMS:
        return True
    return " " not in key and key.isascii() and len(key) <= 4


def has_sale_context(folded: str, token_texts: list[str]) -> bool:
    """A price, a currency amount or a selling word anywhere in the folded text."""
    if any(token in SALE_WORDS for token in token_texts):
        return True
    if _PRICE.search(folded):
        return True
    return not folded.isascii() and _UNSPACED_SALE.search(folded) is not None


def inside_false_friend(folded: str, term: str, start: int) -> bool:
    """Whether the unspaced ``term`` found at ``start`` is part of a common word."""
    for word in UNSPACED_FALSE_FRIENDS.get(term, ()):
        offset = word.find(term)
        if offset <= start and folded.startswith(word, start - offset):
            return True
    return False


def is_blocked(token_texts: list[str], first: int, last: int, weak: bool) -> bool:
    """A blocker word within BLOCKER_WINDOW tokens before ``first`` or after ``last``
    (token indices, inclusive); weak terms are blocked by more words than strong ones."""
    blockers = BLOCKER_WORDS if weak else NOT_THE_ANIMAL_WORDS
    before = token_texts[max(0, first - BLOCKER_WINDOW):first]
    after = token_texts[last + 1:last + 1 + BLOCKER_WINDOW]
    return any(token in blockers for token in before) or any(token in blockers for token in after)
