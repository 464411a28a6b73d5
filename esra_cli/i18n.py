"""The user-interface words esra shows, in English and Italian. Data carries its own languages."""

from __future__ import annotations

HEADERS: dict[str, tuple[str, str]] = {
    # key: (en, it); column headers and field labels
    "region": ("Region", "Regione"),
    "country": ("Country", "Paese"),
    "since": ("Since", "Dal"),
    "until": ("Until", "Fino a"),
    "value": ("Value", "Valore"),
    "last_confirmed": ("Last confirmed", "Ultima conferma"),
    "role": ("Role", "Ruolo"),
    "sources": ("Sources", "Fonti"),
    "field": ("Field", "Campo"),
    "quote": ("Quote", "Citazione"),
    "states": ("States", "Attesta"),
    "matched": ("Matched", "Trovato in"),
    "referred_by": ("Referred to by", "Richiamato da"),
    "cited_by": ("Cited by", "Citato da"),
    "preferred": ("Preferred value", "Valore preferito"),
    "other": ("Other value", "Altro valore"),
    "name": ("Name", "Nome"),
    "type": ("Type", "Tipo"),
    "roles": ("Roles", "Ruoli"),
    "date": ("Date", "Data"),
    "what": ("What", "Cosa"),
    "status": ("Status", "Stato"),
    "place": ("Place", "Luogo"),
    "id": ("Id", "Id"),
    "title": ("Title", "Titolo"),
    "publisher": ("Publisher", "Editore"),
    "url": ("URL", "URL"),
    "confidence": ("Confidence", "Affidabilità"),
    "note": ("Note", "Nota"),
    "events": ("Events", "Eventi"),
    "positions": ("Positions", "Incarichi"),
    "organization": ("Organization", "Organizzazione"),
    "period": ("Period", "Periodo"),
    "party": ("Party", "Partito"),
    "aliases": ("Also known as", "Detto anche"),
    "memberships": ("Memberships", "Adesioni"),
    "people": ("People", "Persone"),
    "agreements": ("Agreements and collaborations", "Accordi e collaborazioni"),
    "statements": ("Statements", "Dichiarazioni"),
    "acronym": ("Acronym", "Sigla"),
    "kind": ("Kind", "Tipo"),
    "sector": ("Sector", "Settore"),
    "description": ("Description", "Descrizione"),
    "founded": ("Founded", "Fondazione"),
    "chairs": ("Chairs", "Presidenze"),
    "nuts": ("NUTS", "NUTS"),
    "names": ("Names", "Nomi"),
    "places": ("Places", "Luoghi"),
    "invited": ("Invited", "Invitati"),
    "fulfilled_by": ("Fulfilled by", "Realizzato con"),
    "organizations": ("Organizations", "Organizzazioni"),
    "members": ("Members", "Membri"),
    "body": ("Organization or region", "Ente"),
    "person": ("Person", "Persona"),
}

WORDS: dict[str, tuple[str, str]] = {
    # key: (en, it); values and phrases
    "no_members": ("no members known", "nessun membro noto"),
    "no_who": ("no people or organizations match", "nessuna persona o organizzazione corrisponde"),
    "no_what": (
        "no events, agreements or statements match",
        "nessun evento, accordo o dichiarazione corrisponde",
    ),
    "no_when": ("nothing dated in that range", "nulla di datato in questo intervallo"),
    "no_where": ("no places match", "nessun luogo corrisponde"),
    "no_search": ("no records match", "nessun record corrisponde"),
    "no_sources": ("no sources", "nessuna fonte"),
    "no_disputes": ("no disputes", "nessun conflitto"),
    "region": ("region", "regione"),
    "organization": ("organization", "organizzazione"),
    "until": ("until", "fino a"),
    "starts": ("starts as", "inizia come"),
    "ends": ("ends as", "termina come"),
    "caption_members": (
        "{known} known of {reported} reported {date}",
        "{known} noti su {reported} riportati {date}",
    ),
    "on_day": ("on {date}", "il {date}"),  # a date's preposition follows its precision
    "in_month": ("in {date}", "a {date}"),
    "in_year": ("in {date}", "nel {date}"),
    "show_hint": ("esra show ID: one record in full", "esra show ID: un record per intero"),
    "caption_known": ("{known} known", "{known} noti"),
    "as_of": ("as of {date}", "al {date}"),
    "none": ("nothing found", "nessun risultato"),
    "low_confidence": ("low confidence", "affidabilità bassa"),
    "medium_confidence": ("medium confidence", "affidabilità media"),
    # Values shown in tables; JSON keeps the English codes.
    "member": ("member", "membro"),
    "chair": ("chair", "presidenza"),
    "co-chair": ("co-chair", "co-presidenza"),
    "vice-chair": ("vice-chair", "vicepresidenza"),
    "planned": ("planned", "previsto"),
    "current": ("current", "in corso"),
    "presumed current": ("presumed current", "presumibilmente in corso"),
    "upcoming": ("upcoming", "futuro"),
    "status unknown": ("status unknown", "stato non noto"),
    "joins": ("joins", "entra in"),
    "leaves": ("leaves", "lascia"),
    "not known then": ("not known then", "non noto allora"),
    "past": ("past", "concluso"),
    "last_confirmed": ("last confirmed {date}", "ultima conferma {date}"),
    "inferred": ("inferred", "dedotto"),
    "disputed": ("disputed", "contestato"),
    "outcome": ("→ {status} {date}", "→ {status} {date}"),
    "no_outcome": ("no known outcome", "esito non noto"),
    "unknown": ("unknown", "non noto"),
    "undated": ("undated", "senza data"),
    "after": ("after {date}", "dopo il {date}"),
    "before": ("before {date}", "prima del {date}"),
    "held": ("held", "svolto"),
    "announced": ("announced", "annunciato"),
    "cancelled": ("cancelled", "annullato"),
    "person": ("person", "persona"),
    "event": ("event", "evento"),
    "agreement": ("agreement", "accordo"),
    "statement": ("statement", "dichiarazione"),
    "source": ("source", "fonte"),
    "position": ("position", "incarico"),
    "membership": ("membership", "adesione"),
    "aim": ("aim", "obiettivo"),
    "activity": ("activity", "attività"),
    "fact": ("fact", "fatto"),
    "figure": ("figure", "dato"),
    "collaboration": ("collaboration", "collaborazione"),
    "declaration-of-intent": ("declaration of intent", "dichiarazione d'intenti"),
    "alliance": ("alliance", "alleanza"),
    "network": ("network", "rete"),
    "institution": ("institution", "istituzione"),
    "city": ("city", "città"),
    "venue": ("venue", "sede"),
    "position-start": ("post begins", "inizio incarico"),
    "position-end": ("post ends", "fine incarico"),
}


def word(key: str, lang: str) -> str:
    """The word for `key` in `lang`; an unknown key is shown as it is."""
    pair = WORDS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "it" else pair[0]


def header(key: str, lang: str) -> str:
    """A column header or field label in `lang`."""
    if key not in HEADERS:  # a record's own field in `esra show`: its name, readable
        return key.replace("_", " ").capitalize()
    en, it = HEADERS[key]
    return it if lang == "it" else en


def article(noun: str) -> str:
    """The noun with its English indefinite article: messages are in English ('an alliance')."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun
