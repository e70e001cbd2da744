"""Stage 4, provenance: every event points at the exact text that supports it.

The file names a registered source (P001) whose file can be read (P007) and is the one the
file is named after (P009); the text is the one that was coded (P002: its sha256 is recorded
in the file); every cited sentence exists (P003) and holds its quote (P004); accepted events
cite something (P006); page furniture is a poor citation (P008).

When the source changed after coding, sentence ids may have shifted: each quote is searched
for in the new text and the report says where it moved (P005) or that it is gone (P004).
Quotes are compared after normalising whitespace only - case, accents and punctuation must
match the text exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from sahelevents.annotations import LoadedAnnotation
from sahelevents.issues import Issue, issue
from sahelevents.models import Evidence
from sahelevents.sentences import Sentence
from sahelevents.sources import changed_since_registered
from sahelevents.validate.context import CheckContext
from sahelevents.yamlio import YamlPath


def normalise_space(text: str) -> str:
    return " ".join(text.split())


class ProvenanceStage:
    def __init__(self, annotation: LoadedAnnotation, ctx: CheckContext, *,
                 check_file_name: bool) -> None:
        self.annotation = annotation
        self.loaded = annotation.loaded
        self.ctx = ctx
        self.check_file_name = check_file_name
        self.issues: list[Issue] = []

    def _issue(self, code: str, message: str, path: YamlPath, *,
               span: tuple[int, int] | None = None) -> None:
        found = self.loaded.issue_at(code, message, path, doc=self.annotation.source)
        self.issues.append(dataclasses.replace(found, span=span) if span else found)

    def run(self) -> list[Issue]:
        for index, event in self.annotation.events:
            dropped = self.annotation.dropped.get(index, frozenset())
            if event.decision == "accepted" and not event.evidence and "evidence" not in dropped:
                self._issue("P006", "accepted event without evidence: add `evidence:` with "
                            "the id of each sentence that supports it (`sahelevents sentences "
                            f"{self.annotation.source or 'DOC'}` lists them)", ("events", index))
        doc = self.annotation.source
        if doc is None:
            return self.issues
        if self.check_file_name and self.annotation.path.stem != doc:
            self._issue("P009", f"this file holds the annotations of '{doc}' but is named "
                        f"'{self.annotation.path.name}': rename it to '{doc}.yaml' or fix "
                        "source", ("source",))
        meta = self.ctx.meta(doc)
        if meta is None:
            self._issue("P001", f"source '{doc}' is not in the source registry: register it "
                        "with `sahelevents sources add FILE`, or fix the id", ("source",))
            return self.issues
        loaded = self.ctx.document(doc)
        if loaded.document is None:
            self._issue("P007", f"the text of '{doc}' cannot be read ({loaded.error})",
                        ("source",))
            return self.issues
        if meta.sha256 != loaded.sha256:
            registry = self.ctx.ws.project.relative(self.ctx.ws.project.registry_file)
            self.issues.append(issue(
                "R001", f"{doc}: {meta.file} {changed_since_registered(meta, loaded.sha256)}",
                registry, doc=doc))
        stale = (self.annotation.source_sha256 is not None
                 and self.annotation.source_sha256 != loaded.sha256)
        if stale:
            self._issue("P002", f"the text of '{doc}' changed since this file was coded "
                        f"(recorded {self.annotation.source_sha256}, now {loaded.sha256}): "
                        "check every quote (moved or missing ones are listed), then set "
                        f"source_sha256: {loaded.sha256}", ("source_sha256",))
        sentences = self.ctx.sentences(doc)
        for index, event in self.annotation.events:
            for number, evidence in enumerate(event.evidence):
                self._check_evidence(doc, sentences, evidence,
                                     ("events", index, "evidence", number), stale)
            if event.suggested and not stale:
                for name, trace in event.suggested.items():
                    if trace.sentence is not None:
                        self._check_trace(doc, sentences, trace.sentence, trace.start,
                                          trace.end, ("events", index, "suggested", name))
        return self.issues

    def _sentence(self, doc: str, sentences: dict[str, Sentence], sentence_id: str,
                  path: YamlPath) -> Sentence | None:
        cited_doc = sentence_id.rpartition("#")[0]
        if cited_doc != doc:
            self._issue("P003", f"'{sentence_id}' is a sentence of '{cited_doc}', not of this "
                        f"file's source '{doc}'", path)
            return None
        found = sentences.get(sentence_id)
        if found is None:
            known = (f"it has {doc}#s1 to {doc}#s{len(sentences)}" if sentences
                     else "its text has no sentences")
            self._issue("P003", f"'{doc}' has no sentence '{sentence_id}' ({known}; "
                        f"`sahelevents sentences {doc}` lists them)", path)
        return found

    def _check_evidence(self, doc: str, sentences: dict[str, Sentence], evidence: Evidence,
                        path: YamlPath, stale: bool) -> None:
        quote = evidence.quote
        if stale and quote is not None and quote.strip():
            self._relocate(doc, sentences, evidence.sentence, quote, path)
            return
        sentence = self._sentence(doc, sentences, evidence.sentence, (*path, "sentence"))
        if sentence is None:
            return
        if sentence.kind == "furniture":
            self._issue("P008", f"{sentence.id} is page furniture ({_short(sentence.text)!r}), "
                        "not the article: cite a sentence of the article", (*path, "sentence"),
                        span=(sentence.start, sentence.end))
        if quote is None:
            return
        if not quote.strip():
            self._issue("P004", "the quote is empty: copy the words from the sentence, or "
                        "remove `quote:`", (*path, "quote"))
            return
        if normalise_space(quote) in normalise_space(sentence.text):
            return
        elsewhere = _find(sentences, quote)
        hint = (f"; it is in {elsewhere.id}: cite that sentence" if elsewhere is not None
                else "; copy it exactly (only spacing may differ)")
        self._issue("P004", f"the quote is not in {sentence.id} ({_short(sentence.text)!r})"
                    f"{hint}", (*path, "quote"), span=(sentence.start, sentence.end))

    def _relocate(self, doc: str, sentences: dict[str, Sentence], cited: str, quote: str,
                  path: YamlPath) -> None:
        """In a changed source: say where the quote is now, or that it is gone."""
        current = sentences.get(cited) if cited.rpartition("#")[0] == doc else None
        if current is not None and normalise_space(quote) in normalise_space(current.text):
            return
        moved = _find(sentences, quote)
        if moved is not None:
            self._issue("P005", f"the source changed: this quote is now in {moved.id}, not "
                        f"{cited}; write sentence: {moved.id}", (*path, "sentence"),
                        span=(moved.start, moved.end))
        else:
            self._issue("P004", f"the source changed and this quote is no longer in its text "
                        f"({_short(quote)!r}): find the passage again or remove the evidence",
                        (*path, "quote"))

    def _check_trace(self, doc: str, sentences: dict[str, Sentence], sentence_id: str,
                     start: int | None, end: int | None, path: YamlPath) -> None:
        sentence = self._sentence(doc, sentences, sentence_id, (*path, "sentence"))
        if sentence is None or start is None or end is None:
            return
        if not sentence.start <= start <= end <= sentence.end:
            self._issue("P004", f"span {start}-{end} is not inside {sentence.id} "
                        f"({sentence.start}-{sentence.end}); spans are document offsets",
                        (*path, "start"), span=(sentence.start, sentence.end))


def _find(sentences: dict[str, Sentence], quote: str) -> Sentence | None:
    wanted = normalise_space(quote)
    if not wanted:
        return None
    for sentence in sentences.values():
        if wanted in normalise_space(sentence.text):
            return sentence
    return None


def _short(text: str, limit: int = 60) -> str:
    text = normalise_space(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_provenance(annotation: LoadedAnnotation, ctx: CheckContext, *,
                     check_file_name: bool) -> Iterator[Issue]:
    yield from ProvenanceStage(annotation, ctx, check_file_name=check_file_name).run()
