"""Sentence ids and offsets: exact, stable, and page furniture told apart from the article."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sahelevents.sentences import classify_block, segment
from sahelevents.workspace import Workspace

_words = st.sampled_from(["Les", "FAMa", "ont", "mené", "des", "frappes", "à", "Kolondiéba",
                          "le", "7", "septembre", "2023", "«", "»", "M.", "Diop", "n°2025",
                          "l’armée", "…", "...", "?", "!", "é", "\u00a0", "  "])
_sentence = st.tuples(st.lists(_words, min_size=1, max_size=12).map(" ".join),
                      st.sampled_from([".", "!", "?", "", " »."])).map("".join)
_document = st.lists(
    st.tuples(st.lists(_sentence, min_size=1, max_size=4).map(lambda xs: ". ".join(xs) + "."),
              st.sampled_from(["\n", "\n\n", "\n \n", "\n\t\n"])),
    min_size=1, max_size=6).map(lambda parts: "".join(p + sep for p, sep in parts))


@settings(max_examples=150, deadline=None)
@given(_document)
def test_offsets_are_exact_for_generated_documents(text: str) -> None:
    sentences = segment("doc", text)
    previous_end = 0
    for number, sentence in enumerate(sentences, start=1):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert sentence.start >= previous_end
        assert sentence.id == f"doc#s{number}"
        previous_end = sentence.end
    # every non-space character of the text belongs to a sentence
    covered = sum(len(s.text.replace(" ", "")) for s in sentences)
    assert covered <= len(text)


@given(st.text(max_size=400))
def test_any_text_segments_without_error_and_with_exact_offsets(text: str) -> None:
    for sentence in segment("x", text):
        assert text[sentence.start:sentence.end] == sentence.text


def test_every_seed_sentence_has_exact_offsets(ws: Workspace) -> None:
    for meta in ws.registry.data.documents:
        text = ws.document(meta.id).text
        sentences = ws.sentences(meta.id)
        assert sentences
        for sentence in sentences:
            assert text[sentence.start:sentence.end] == sentence.text


def test_segmentation_is_stable(ws: Workspace) -> None:
    doc = "002_6e87b541723d2159"
    assert segment(doc, ws.document(doc).text) == segment(doc, ws.document(doc).text)


def _kinds(ws: Workspace, doc: str) -> dict[str, tuple[str, int]]:
    return {s.text: (s.kind, s.story) for s in ws.sentences(doc)}


def test_page_furniture_is_marked(ws: Workspace) -> None:
    kinds = _kinds(ws, "001_a83d49f01d9bfc40")
    for text in ("Partagez", "Leave a comment", "Laisser un commentaire",
                 "Quitter la version mobile", "error: Avertissement de Copyright"):
        assert kinds[text][0] == "furniture", text
    cookie = _kinds(ws, "002_6e87b541723d2159")["Ce site utilise des cookies"]
    assert cookie[0] == "furniture"


def test_teasers_are_separate_stories(ws: Workspace) -> None:
    sentences = ws.sentences("004_487faec90e07874a")
    kolondieba = next(s for s in sentences if "frappes sur des groupes armés" in s.text)
    title = next(s for s in sentences if s.text.startswith("Lire aussi : Attaque contre le"))
    assert kolondieba.kind == title.kind == "teaser"
    assert kolondieba.story == title.story > 0
    floods = next(s for s in sentences if "inondations font 23 morts" in s.text)
    assert floods.kind == "teaser" and floods.story not in (0, kolondieba.story)
    article = next(s for s in sentences if "du 22 au 24 mai dernier" in s.text)
    assert (article.kind, article.story) == ("body", 0)


def test_inline_teaser_does_not_swallow_the_article(ws: Workspace) -> None:
    kinds = _kinds(ws, "000_6aca588667d2720d")
    teaser = next(k for t, k in kinds.items() if t.startswith("Lire aussi"))
    assert teaser[0] == "teaser"
    body = next(k for t, k in kinds.items() if t.startswith("Le ministre, porte-parole"))
    assert body == ("body", 0)


def test_datelines_and_bylines() -> None:
    assert classify_block("Publié lundi 27 mai 2024 à 06:58") == "dateline"
    assert classify_block("28 décembre 2024, 2:31 am") == "dateline"
    assert classify_block("Par Aboubacar TRAORE") == "byline"
    assert classify_block("Esso ASSALIH") == "byline"
    assert classify_block("Les FAMa ont mené des frappes.") is None
