"""A collective's newsletter to 100,000 followers (issue 7): the recipients snapshot
(``newsletter_start``, one ``INSERT … SELECT``) and the sending of every batch by one
worker, reported as e-mails written and sent per second, with the median and 95th
percentile of a batch and its number of queries.

The letter goes through the real services: Halle's draft, the organiser's edit, « send
now », the start, then ``newsletter_send_batch`` called in a loop until nothing is pending —
what one Celery worker does, without the broker (``queue_next=False``; the tasks the
services would queue are recorded instead of going to Redis). The e-mail backend builds
each message completely, as the SMTP backend does before it writes to the socket (MIME
tree, headers, plain text and HTML parts, serialised to bytes), then throws it away: what is
measured is Halle's work, not a mail server's.

It runs on a throwaway database of its own (created from the migrations, dropped at the
end), so the development data is never touched.
"""

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.mail import EmailMessage  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from throwaway import throwaway_database  # noqa: E402 -- this folder

from accounts.models import User  # noqa: E402
from collectives.models import Collective, Follow, Organiser  # noqa: E402
from notifications.models import Newsletter, NewsletterDelivery, Preference  # noqa: E402
from notifications.services import newsletters  # noqa: E402
from notifications.unsubscribe import newsletter_topic  # noqa: E402

T = TypeVar("T")
DATABASE = "halle_benchmark_newsletter"
CHUNK = 5000
# One follower in UNSUBSCRIBED_EVERY unsubscribed from the letters (kept as « skipped »).
UNSUBSCRIBED_EVERY = 100

BODY = """Bonjour à tous,

Voici les nouvelles de la semaine aux **Halles de Villeneuve**.

# Nouveaux produits

- Miel de châtaignier — Le Rucher du Lot, 9,50 €
  <https://halle.example/halles-villeneuve/produits/miel-chataignier/>
- Pain au levain, 1 kg — Boulangerie Martin, 4,20 €
  <https://halle.example/halles-villeneuve/produits/pain-levain/>
- Fromage de chèvre frais — Ferme des Prés, 3,80 €
  <https://halle.example/halles-villeneuve/produits/chevre-frais/>

# À venir

- Samedi 14 juin, 10:00 — Marché des producteurs, place Lafayette
  <https://halle.example/evenements/marche-producteurs/>
- Mercredi 18 juin, 18:30 — Atelier *confitures*, Épicerie du Coin
  <https://halle.example/evenements/atelier-confitures/>

# Achats groupés en cours

- Huile d'olive de Nyons — Épicerie du Coin, jusqu'au vendredi 20 juin, 12:00
  <https://halle.example/achats-groupes/12/>

# Histoires de nos boutiques

- « Trente ans de levain » — Boulangerie Martin
  <https://halle.example/boulangerie-martin/histoires/trente-ans-de-levain/>

Retrouvez tout le programme sur https://halle.example/halles-villeneuve/ et à bientôt
dans nos boutiques !

L'équipe des Halles de Villeneuve
"""


class RenderingBackend(BaseEmailBackend):
    """Builds every message to the bytes the SMTP backend would send, then discards it.
    Keeps the first message, to check what was built, and counts messages and bytes."""

    messages = 0
    size = 0
    seconds = 0.0
    first: bytes = b""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        cls = RenderingBackend
        for message in email_messages:
            start = time.perf_counter()
            assert message.recipients()
            # What smtp.EmailBackend does (Django's MIME classes take a linesep).
            data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
            cls.seconds += time.perf_counter() - start
            if not cls.first:
                cls.first = data
            cls.messages += 1
            cls.size += len(data)
        return len(email_messages)


class Timer:
    """Time spent in one function, accumulated (to split a batch's time)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        return timed


@contextmanager
def counted() -> Iterator[list[int]]:
    """The number of queries run inside the block, in ``found[0]``."""
    found = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        found[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield found


def seed(collective: Collective, count: int) -> None:
    """``count`` followers with a verified address, in chunks of bulk inserts; a third
    read English, one in ten has a separate notification address, one in
    :data:`UNSUBSCRIBED_EVERY` unsubscribed from the collective's letters."""
    password = make_password(None)
    topic = newsletter_topic(collective.pk)
    for start in range(0, count, CHUNK):
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"abonne{n}@example.org",
                    display_name=f"Abonné {n}",
                    preferred_language="en" if n % 3 == 0 else "fr",
                    notification_email=f"courrier{n}@example.net" if n % 10 == 0 else "",
                    password=password,
                )
                for n in range(start, min(start + CHUNK, count))
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            )
            Follow.objects.bulk_create(Follow(user=user, collective=collective) for user in users)
            Preference.objects.bulk_create(
                Preference(user=user, kind=topic, mode=Preference.Mode.OFF)
                for user in users[::UNSUBSCRIBED_EVERY]
            )


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def show_first_message(data: bytes) -> None:
    """What the first e-mail was made of, to check that every message is complete."""
    from email import message_from_bytes, policy

    parsed: Message = message_from_bytes(data, policy=policy.SMTP)
    parts = [part.get_content_type() for part in parsed.walk()]
    print(f"  first e-mail: {len(data):,} bytes, {' + '.join(parts)}")
    for header in ("Subject", "From", "To", "List-Id", "List-Unsubscribe"):
        value = str(parsed.get(header, "—")).strip()
        print(f"    {header}: {value[:90]}{'…' if len(value) > 90 else ''}")
    print(f"    List-Unsubscribe-Post: {parsed.get('List-Unsubscribe-Post', '—')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=newsletters.BATCH_SIZE)
    args = parser.parse_args()
    n, size = args.followers, args.batch_size

    settings.EMAIL_BACKEND = f"{__name__}.RenderingBackend"
    queued: list[str] = []

    def queue_now(task: Any, *task_args: Any, countdown: float | None = None) -> bool:
        queued.append(task.name.rsplit(".", 1)[-1])
        return True

    def queue_on_commit(task: Any, *task_args: Any) -> None:
        transaction.on_commit(lambda: queue_now(task, *task_args))

    # No task goes to Redis: this process is the worker.
    newsletters.queue_now = queue_now
    newsletters.queue_on_commit = queue_on_commit
    writing = Timer()
    newsletters._message = writing.wrap(newsletters._message)

    with throwaway_database(DATABASE):
        collective = Collective.objects.create(
            name="Les Halles de Villeneuve",
            slug="halles-villeneuve",
            town="Villeneuve-sur-Lot",
            status=Collective.Status.ACTIVE,
        )
        organiser = User.objects.create_user(email="organisatrice@example.org", password=None)
        Organiser.objects.create(
            collective=collective, user=organiser, role=Organiser.Role.ORGANISER
        )
        start = time.perf_counter()
        seed(collective, n)
        print(f"{n:,} followers created in {time.perf_counter() - start:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        draft = newsletters.newsletter_draft(actor=organiser, collective=collective)
        letter = newsletters.newsletter_update(
            actor=organiser, newsletter=draft, subject=draft.subject, body=BODY
        )
        letter = newsletters.newsletter_send_now(actor=organiser, newsletter=letter)
        assert queued == ["start_newsletter"], queued
        print(f"letter « {letter.subject} », {len(letter.body):,} characters, batches of {size}")
        print()

        with counted() as queries:
            start = time.perf_counter()
            started = newsletters.newsletter_start(newsletter_id=letter.pk)
            snapshot = time.perf_counter() - start
        assert started is not None
        rows = NewsletterDelivery.objects.filter(newsletter=letter).count()
        pending = started.recipient_count
        print(
            f"snapshot (newsletter_start): {rows:,} rows ({pending:,} pending, "
            f"{rows - pending:,} skipped) in {snapshot:.2f} s, {queries[0]} queries "
            f"— {rows / snapshot:,.0f} recipients/s"
        )

        times: list[float] = []
        query_counts: list[int] = []
        sent = 0
        start = time.perf_counter()
        while True:
            with counted() as queries:
                began = time.perf_counter()
                outcome = newsletters.newsletter_send_batch(
                    newsletter_id=letter.pk, size=size, queue_next=False
                )
                took = time.perf_counter() - began
            if not outcome.claimed:
                break
            assert outcome.sent == outcome.claimed, outcome
            times.append(took)
            query_counts.append(queries[0])
            sent += outcome.sent
        total = time.perf_counter() - start

        letter.refresh_from_db()
        assert letter.status == Newsletter.Status.SENT, letter.status
        assert sent == pending == RenderingBackend.messages, (sent, pending)
        print(
            f"sending, one worker: {sent:,} e-mails in {len(times):,} batches, "
            f"{total:.1f} s — {sent / total:,.0f} e-mails/s"
        )
        print(
            f"  per batch: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {quantile(times, 0.95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
        counts = Counter(query_counts)
        print(
            "  queries per batch: "
            + ", ".join(
                f"{q} ({b:,} batch{'es' if b > 1 else ''})" for q, b in sorted(counts.items())
            )
        )
        building = RenderingBackend.seconds
        print(
            f"  of which writing the e-mails (templates, unsubscribe link): "
            f"{writing.seconds:.1f} s; building the MIME bytes: {building:.1f} s; "
            f"the rest (claim, record, Python): {total - writing.seconds - building:.1f} s"
        )
        print(f"  {RenderingBackend.size / 1e6:,.0f} MB of mail built")
        show_first_message(RenderingBackend.first)


if __name__ == "__main__":
    main()
