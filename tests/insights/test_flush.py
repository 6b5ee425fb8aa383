"""The flush of the counters into PostgreSQL (insights.services.flush): exact — N increments
are N counted, including increments made while a flush runs — and safe to run twice, even
after a flush died between its commit and deleting its batch from Redis."""

import threading

import pytest
from django.test import RequestFactory

from insights import tasks
from insights.counting import count_search, count_view, namespace, paris_today, request_client
from insights.models import DailyCount, FlushedBatch, SearchCount
from insights.services import flush
from insights.services.flush import counts_flush
from tests.factories import CollectiveFactory, MerchantFactory
from tests.insights.counters import BROWSER, no_counters, pending_views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_counters")]
__all__ = ["no_counters"]


def visit(kind="product", object_id=1, **ids) -> None:
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert count_view(request, kind=kind, object_id=object_id, **ids)


def search(collective, query, found) -> None:
    request = RequestFactory().get("/", HTTP_USER_AGENT=BROWSER)
    assert count_search(request, collective_id=collective.pk, query=query, found=found)


def counted(kind="product", object_id=1) -> int:
    row = DailyCount.objects.filter(day=paris_today(), kind=kind, object_id=object_id).first()
    return row.count if row else 0


def redis_keys() -> list[str]:
    return [k.decode() for k in request_client().scan_iter(match=f"{namespace()}:*")]


@pytest.fixture
def shop():
    return MerchantFactory()


@pytest.fixture
def collective():
    return CollectiveFactory()


def test_n_increments_are_n_counted(shop, collective):
    for _ in range(7):
        visit("product", 10, merchant_id=shop.pk)
    for _ in range(3):
        visit("event", 20, collective_id=collective.pk)
    for _ in range(4):
        search(collective, "Miel  de Lavande", found=False)
    search(collective, "tomme", found=True)
    result = counts_flush()
    assert result.counted == 15
    row = DailyCount.objects.get(kind="product", object_id=10)
    assert (row.day, row.count, row.merchant_id, row.collective_id) == (
        paris_today(),
        7,
        shop.pk,
        None,
    )
    assert counted("event", 20) == 3
    assert DailyCount.objects.get(kind="event").collective_id == collective.pk
    assert {(s.query, s.found, s.count) for s in SearchCount.objects.all()} == {
        ("miel de lavande", False, 4),
        ("tomme", True, 1),
    }
    assert redis_keys() == []


def test_flushing_twice_adds_nothing_the_second_time_and_later_counts_add_up(shop):
    for _ in range(5):
        visit(merchant_id=shop.pk)
    counts_flush()
    assert counts_flush().counted == 0
    assert counted() == 5
    for _ in range(2):
        visit(merchant_id=shop.pk)
    counts_flush()
    assert counted() == 7  # count = count + EXCLUDED.count


def test_a_flush_that_died_after_its_commit_does_not_count_twice(monkeypatch, shop):
    """Rule: safe to run twice. The batch was added and its marker committed, but the flush
    died before deleting the batch from Redis: the next flush finds the marker and only
    deletes the batch."""
    for _ in range(6):
        visit(merchant_id=shop.pk)
    real_forget = flush._forget_batch

    def crash(client, batch):
        raise ConnectionError("worker killed")

    monkeypatch.setattr(flush, "_forget_batch", crash)
    with pytest.raises(ConnectionError):
        counts_flush()
    assert counted() == 6
    assert len([k for k in redis_keys() if ":flushing:" in k]) == 1
    monkeypatch.setattr(flush, "_forget_batch", real_forget)
    result = counts_flush()
    assert (result.counted, result.already_flushed) == (0, 1)
    assert counted() == 6
    assert redis_keys() == []


def test_a_flush_that_died_before_its_commit_loses_nothing(monkeypatch, shop):
    for _ in range(4):
        visit(merchant_id=shop.pk)
    real_add = flush._add_views

    def crash(*args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(flush, "_add_views", crash)
    with pytest.raises(RuntimeError):
        counts_flush()
    assert counted() == 0
    assert not FlushedBatch.objects.exists()  # the marker went with the rollback
    monkeypatch.setattr(flush, "_add_views", real_add)
    assert counts_flush().counted == 4
    assert counted() == 4


def test_increments_made_during_a_flush_are_counted_by_the_next_one(monkeypatch, shop):
    """The batch is renamed aside first: a view counted while it is being added goes to a
    fresh hash, neither lost nor counted twice."""
    for _ in range(3):
        visit(merchant_id=shop.pk)
    real_flush_batch = flush._flush_batch

    def visits_meanwhile(client, batch, result):
        for _ in range(2):
            visit(merchant_id=shop.pk)
        real_flush_batch(client, batch, result)

    monkeypatch.setattr(flush, "_flush_batch", visits_meanwhile)
    counts_flush()
    assert counted() == 3
    assert pending_views() == {f"product:1:{shop.pk}:": 2}
    monkeypatch.setattr(flush, "_flush_batch", real_flush_batch)
    counts_flush()
    assert counted() == 5


def test_concurrent_increments_and_flushes_are_exact(shop):
    """Rule: N increments → N counted, with a thread counting while flushes run."""
    total = 400
    done = threading.Event()

    def count_all():
        try:
            for _ in range(total):
                visit(merchant_id=shop.pk)
        finally:
            done.set()

    thread = threading.Thread(target=count_all)
    thread.start()
    flushes = 0
    while not done.is_set() or flushes == 0:
        counts_flush()
        flushes += 1
    thread.join()
    counts_flush()
    assert counted() == total


def test_counts_of_a_deleted_shop_and_unreadable_fields_are_dropped(shop):
    gone = MerchantFactory()
    visit(merchant_id=shop.pk)
    visit(object_id=2, merchant_id=gone.pk)
    gone.delete()
    key = f"{namespace()}:views:{paris_today().isoformat()}"
    request_client().hincrby(key, "product:not-a-number::", 3)
    request_client().hincrby(key, "basket:3::", 3)
    counts_flush()
    assert list(DailyCount.objects.values_list("object_id", "count")) == [(1, 1)]
    assert redis_keys() == []


def test_the_periodic_task_flushes(shop):
    for _ in range(2):
        visit(merchant_id=shop.pk)
    assert tasks.flush_counts.run() == 2
    assert counted() == 2


@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_count_each_batch_once():
    """Two workers flushing at the same moment, over the same left-over batches: the marker's
    unique index lets only one of them add each batch."""
    from django.db import connection

    shop = MerchantFactory()
    for batch in range(3):
        for _ in range(5):
            visit(object_id=batch, merchant_id=shop.pk)
    # As if a flush had renamed them aside, then died before adding them.
    client = request_client()
    for key in list(client.scan_iter(match=f"{namespace()}:views:*")):
        client.rename(key, f"{namespace()}:flushing:left-over:views:{paris_today().isoformat()}")
    for _ in range(5):
        visit(object_id=9, merchant_id=shop.pk)
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            counts_flush()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [counted(object_id=i) for i in (0, 1, 2, 9)] == [5, 5, 5, 5]
    assert redis_keys() == []
