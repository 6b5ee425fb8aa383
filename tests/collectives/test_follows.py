"""Follows and « Mon fil »: the follow services (idempotent, public targets only, the actor
follows), the feed (only what one follows, only what is public, newest first, without
duplicates, page by page with a cursor, a constant number of queries), the follow buttons
(without JavaScript, with htmx, logged out) on the shop and collective pages, and the
selectors other pages use (« Mes abonnements », is_following)."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from collectives.models import Follow
from collectives.selectors.follows import (
    FeedCursor,
    collectives_to_follow,
    feed_for,
    follows_of,
    is_following_collective,
    is_following_shop,
)
from collectives.services.follows import (
    follow_collective,
    follow_shop,
    unfollow_collective,
    unfollow_shop,
)
from tests.factories import (
    CollectiveFactory,
    EventFactory,
    MembershipFactory,
    MerchantFactory,
    MerchantMemberFactory,
    ProductFactory,
    ProductImageFactory,
    SelectionFactory,
    StoryFactory,
    StoryImageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEED_URL = "/mon-fil/"
READY = {"320": {"width": 320, "height": 320, "webp": "a.webp", "jpeg": "a.jpg"}}


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def follows_shop(user, merchant) -> Follow:
    return Follow.objects.create(user=user, merchant=merchant)


def follows_collective(user, collective) -> Follow:
    return Follow.objects.create(user=user, collective=collective)


def feed_keys(user, **kwargs) -> list[str]:
    return [f"{i.kind}:{i.obj.title}" for i in feed_for(actor=user, **kwargs).items]


# --- Services ------------------------------------------------------------------------------


def test_following_a_shop_twice_keeps_one_follow(customer):
    shop = MerchantFactory()
    first = follow_shop(actor=customer, merchant=shop)
    second = follow_shop(actor=customer, merchant=shop)
    assert first.pk == second.pk
    assert Follow.objects.filter(user=customer, merchant=shop).count() == 1


def test_following_a_collective_twice_keeps_one_follow(customer):
    collective = CollectiveFactory()
    assert (
        follow_collective(actor=customer, collective=collective).pk
        == follow_collective(actor=customer, collective=collective).pk
    )
    assert Follow.objects.filter(user=customer, collective=collective).count() == 1


@pytest.mark.parametrize("status", ["draft", "suspended"])
def test_only_an_active_shop_can_be_followed(customer, status):
    shop = MerchantFactory(status=status)
    with pytest.raises(ValidationError) as error:
        follow_shop(actor=customer, merchant=shop)
    assert error.value.code == "not_public"
    assert not Follow.objects.exists()


def test_the_service_reads_the_shop_status_from_the_database(customer):
    """A stale copy of a shop suspended meanwhile does not let a follow through."""
    shop = MerchantFactory()
    type(shop).objects.filter(pk=shop.pk).update(status="suspended")
    with pytest.raises(ValidationError):
        follow_shop(actor=customer, merchant=shop)


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_only_an_active_collective_can_be_followed(customer, status):
    collective = CollectiveFactory(status=status)
    with pytest.raises(ValidationError) as error:
        follow_collective(actor=customer, collective=collective)
    assert error.value.code == "not_public"


def test_unfollowing_is_idempotent_and_works_once_the_shop_is_closed(customer):
    shop = MerchantFactory()
    follow_shop(actor=customer, merchant=shop)
    shop.status = "suspended"
    shop.save()
    unfollow_shop(actor=customer, merchant=shop)
    unfollow_shop(actor=customer, merchant=shop)
    assert not Follow.objects.exists()


def test_unfollowing_a_collective_removes_only_the_actors_follow(customer):
    collective = CollectiveFactory()
    other = UserFactory()
    follows_collective(customer, collective)
    follows_collective(other, collective)
    unfollow_collective(actor=customer, collective=collective)
    unfollow_collective(actor=customer, collective=collective)
    assert list(Follow.objects.values_list("user_id", flat=True)) == [other.pk]


def test_a_visitor_cannot_follow():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        follow_shop(actor=AnonymousUser(), merchant=MerchantFactory())  # type: ignore[arg-type]


# --- The feed: scope -----------------------------------------------------------------------


def test_the_feed_shows_only_what_the_person_follows(customer):
    followed, other = MerchantFactory(), MerchantFactory()
    follows_shop(customer, followed)
    ProductFactory(merchant=followed, title="Tomme de brebis")
    StoryFactory(merchant=followed, title="La traite du matin")
    ProductFactory(merchant=other, title="Pas suivi")
    StoryFactory(merchant=other, title="Histoire pas suivie")
    assert sorted(feed_keys(customer)) == ["product:Tomme de brebis", "story:La traite du matin"]


def test_the_feed_shows_only_published_things(customer):
    shop = MerchantFactory()
    follows_shop(customer, shop)
    ProductFactory(merchant=shop, title="Publié")
    ProductFactory(merchant=shop, title="Brouillon", status="draft", published_at=None)
    ProductFactory(merchant=shop, title="Archivé", status="archived")
    StoryFactory(merchant=shop, title="Histoire brouillon", status="draft", published_at=None)
    collective = CollectiveFactory()
    follows_collective(customer, collective)
    EventFactory(collective=collective, title="Marché brouillon", status="draft", published_at=None)
    SelectionFactory(collective=collective, title="Sélection brouillon", status="draft")
    SelectionFactory(
        collective=collective,
        title="Sélection à venir",
        visible_from=timezone.now() + dt.timedelta(days=3),
    )
    assert feed_keys(customer) == ["product:Publié"]


@pytest.mark.parametrize("status", ["draft", "suspended"])
def test_nothing_comes_from_a_shop_that_is_not_public(customer, status):
    shop = MerchantFactory()
    follows_shop(customer, shop)
    ProductFactory(merchant=shop)
    StoryFactory(merchant=shop)
    shop.status = status
    shop.save()
    feed = feed_for(actor=customer)
    assert feed.items == []
    assert feed.follows_anything


def test_nothing_comes_from_a_collective_that_is_not_public(customer):
    collective = CollectiveFactory()
    follows_collective(customer, collective)
    MembershipFactory(collective=collective, merchant=(shop := MerchantFactory()))
    ProductFactory(merchant=shop)
    EventFactory(collective=collective)
    SelectionFactory(collective=collective)
    collective.status = "archived"
    collective.save()
    assert feed_for(actor=customer).items == []


def test_a_followed_collective_brings_its_events_selections_and_members_new_products(customer):
    """Members' stories are left to the shops one follows (the documented choice)."""
    collective = CollectiveFactory(name="Bastide")
    follows_collective(customer, collective)
    member = MerchantFactory()
    MembershipFactory(collective=collective, merchant=member)
    gone = MerchantFactory()
    MembershipFactory(collective=collective, merchant=gone, status="left", left_at=timezone.now())
    ProductFactory(merchant=member, title="Pain de seigle")
    ProductFactory(merchant=gone, title="D'une boutique partie")
    StoryFactory(merchant=member, title="Histoire d'un membre")
    EventFactory(collective=collective, title="Marché du samedi")
    EventFactory(collective=CollectiveFactory(), title="Marché d'ailleurs")
    SelectionFactory(collective=collective, title="Noël local")
    items = {i.obj.title: i for i in feed_for(actor=customer).items}
    assert set(items) == {"Pain de seigle", "Marché du samedi", "Noël local"}
    assert items["Pain de seigle"].via == collective


def test_a_cancelled_event_stays_in_the_feed(customer):
    collective = CollectiveFactory()
    follows_collective(customer, collective)
    EventFactory(
        collective=collective, title="Marché annulé", status="cancelled", cancelled_at=ago(1)
    )
    assert feed_keys(customer) == ["event:Marché annulé"]


def test_a_product_reached_twice_is_shown_once_from_its_shop(customer):
    collective = CollectiveFactory()
    shop = MerchantFactory()
    MembershipFactory(collective=collective, merchant=shop)
    follows_collective(customer, collective)
    follows_shop(customer, shop)
    ProductFactory(merchant=shop, title="Miel de châtaignier")
    items = feed_for(actor=customer).items
    assert [i.obj.title for i in items] == ["Miel de châtaignier"]
    assert items[0].via is None  # the person follows the shop itself


def test_a_visitor_has_an_empty_feed():
    from django.contrib.auth.models import AnonymousUser

    feed = feed_for(actor=AnonymousUser())
    assert feed.items == []
    assert not feed.follows_anything


# --- The feed: order and pages -------------------------------------------------------------


def test_the_feed_is_newest_first_whatever_the_kind(customer):
    shop = MerchantFactory()
    collective = CollectiveFactory()
    follows_shop(customer, shop)
    follows_collective(customer, collective)
    ProductFactory(merchant=shop, title="P-old", published_at=ago(50))
    StoryFactory(merchant=shop, title="S-new", published_at=ago(1))
    EventFactory(collective=collective, title="E-mid", published_at=ago(20))
    SelectionFactory(collective=collective, title="Sel", visible_from=ago(30))
    ProductFactory(merchant=shop, title="P-new", published_at=ago(5))
    assert feed_keys(customer) == [
        "story:S-new",
        "product:P-new",
        "event:E-mid",
        "selection:Sel",
        "product:P-old",
    ]


def test_a_selection_without_window_is_dated_by_its_creation(customer):
    collective = CollectiveFactory()
    follows_collective(customer, collective)
    selection = SelectionFactory(collective=collective)
    (item,) = feed_for(actor=customer).items
    assert item.at == selection.created_at


def test_pages_follow_each_other_without_gap_or_repeat(customer):
    """Items published at the very same instant, of several kinds, straddle page breaks."""
    shop = MerchantFactory()
    collective = CollectiveFactory()
    follows_shop(customer, shop)
    follows_collective(customer, collective)
    same = ago(10)
    for index in range(4):
        ProductFactory(merchant=shop, title=f"P{index}", published_at=same)
        StoryFactory(merchant=shop, title=f"S{index}", published_at=same)
        EventFactory(collective=collective, title=f"E{index}", published_at=same)
        ProductFactory(merchant=shop, title=f"Q{index}", published_at=ago(20 + index))
    everything = feed_keys(customer, page_size=100)
    assert len(everything) == 16
    seen: list[str] = []
    cursor = ""
    for _page in range(10):
        feed = feed_for(actor=customer, older_than=cursor, page_size=5)
        seen += [f"{i.kind}:{i.obj.title}" for i in feed.items]
        cursor = feed.older
        if not cursor:
            break
    assert seen == everything


def test_a_full_last_page_offers_no_older_link(customer):
    shop = MerchantFactory()
    follows_shop(customer, shop)
    ProductFactory.create_batch(3, merchant=shop)
    assert feed_for(actor=customer, page_size=3).older == ""
    assert feed_for(actor=customer, page_size=2).older != ""


@pytest.mark.parametrize("value", ["", "nonsense", "1.2", "1.9.4", "9" * 40 + ".1.1", "5.1.0"])
def test_a_mangled_cursor_is_read_as_none(value):
    assert FeedCursor.decode(value) is None


def test_a_cursor_survives_its_round_trip():
    cursor = FeedCursor(at=timezone.now(), rank=2, pk=41)
    assert FeedCursor.decode(cursor.encode()) == cursor


# --- The feed page -------------------------------------------------------------------------


def test_the_feed_page_asks_to_log_in_first(client):
    response = client.get(FEED_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(FEED_URL)}"


def test_the_feed_page_shows_cards_and_an_older_link(client, customer, settings):
    shop = MerchantFactory(name="Fromagerie Lou")
    follows_shop(customer, shop)
    for index in range(31):
        ProductFactory(merchant=shop, title=f"Fromage {index:02}", published_at=ago(index))
    client.force_login(customer)
    content = client.get(FEED_URL).content.decode()
    assert "Fromage 00" in content
    assert "Fromage 29" in content
    assert "Fromage 30" not in content
    assert content.count("data-feed-item=") == 30
    assert "Fromagerie Lou" in content
    assert "data-feed-older" in content
    older = feed_for(actor=customer).older
    content = client.get(FEED_URL, {"avant": older}).content.decode()
    assert "Fromage 30" in content
    assert "Fromage 29" not in content


def test_an_empty_feed_suggests_collectives_to_follow(client, customer):
    suggested = CollectiveFactory(name="Cœur de Bastide")
    followed = CollectiveFactory(name="Déjà suivi")
    CollectiveFactory(name="Pas encore public", status="draft")
    follows_collective(customer, followed)
    client.force_login(customer)
    content = client.get("/en" + FEED_URL).content.decode()
    assert "Nothing new yet" in content
    assert "Cœur de Bastide" in content
    assert "Pas encore public" not in content
    assert reverse("follows:follow_collective", args=[suggested.slug]) in content


def test_collectives_to_follow_lists_the_largest_first(customer):
    small, large = CollectiveFactory(name="A"), CollectiveFactory(name="B")
    MembershipFactory(collective=large)
    MembershipFactory(collective=large)
    MembershipFactory(collective=small)
    assert [c.name for c in collectives_to_follow(actor=customer)] == ["B", "A"]


def make_followed_world(user, size: int) -> None:
    """``size`` followed shops and ``size`` followed collectives, each with products (with
    photos), stories (with photos), events and selections."""
    for _index in range(size):
        shop = MerchantFactory()
        follows_shop(user, shop)
        product = ProductFactory(merchant=shop)
        ProductImageFactory(product=product, status="ready", position=0, renditions=READY)
        story = StoryFactory(merchant=shop)
        StoryImageFactory(story=story, status="ready", position=0, renditions=READY)
        collective = CollectiveFactory()
        follows_collective(user, collective)
        member = MerchantFactory()
        MembershipFactory(collective=collective, merchant=member)
        ProductFactory(merchant=member)
        EventFactory(collective=collective)
        SelectionFactory(collective=collective)


def test_the_feed_query_count_does_not_grow(client, customer, django_assert_max_num_queries):
    client.force_login(customer)
    counts = []
    for size in (3, 30):
        Follow.objects.filter(user=customer).delete()
        make_followed_world(customer, size)
        # session, user, follows, one query per kind, then the products' and stories'
        # photos, the events' covers and next dates, the selections' covers.
        with django_assert_max_num_queries(12) as captured:
            response = client.get(FEED_URL)
        assert response.status_code == 200
        assert response.content.decode().count("data-feed-item=") == min(5 * size, 30)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


# --- The follow buttons --------------------------------------------------------------------


def follow_url(shop) -> str:
    return reverse("follows:follow_shop", args=[shop.slug])


def test_a_visitor_is_sent_to_log_in_then_back_to_the_page(client):
    shop = MerchantFactory()
    response = client.post(follow_url(shop), {"next": shop.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('account_login')}?next={quote(shop.get_absolute_url())}"
    )
    assert not Follow.objects.exists()


def test_a_visitor_using_htmx_is_redirected_by_the_browser(client):
    shop = MerchantFactory()
    response = client.post(follow_url(shop), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_the_button_follows_then_goes_back_to_the_page(client, customer):
    shop = MerchantFactory()
    client.force_login(customer)
    response = client.post(follow_url(shop), {"next": "/collectifs/x/?metier=bakery"})
    assert response.status_code == 302
    assert response["Location"] == "/collectifs/x/?metier=bakery"
    assert Follow.objects.filter(user=customer, merchant=shop).exists()
    response = client.post(reverse("follows:unfollow_shop", args=[shop.slug]))
    assert response["Location"] == shop.get_absolute_url()
    assert not Follow.objects.exists()


def test_the_button_never_sends_to_another_site(client, customer):
    shop = MerchantFactory()
    client.force_login(customer)
    response = client.post(follow_url(shop), {"next": "https://evil.example/"})
    assert response["Location"] == shop.get_absolute_url()


def test_with_htmx_the_button_comes_back_alone(client, customer):
    collective = CollectiveFactory()
    client.force_login(customer)
    url = reverse("follows:follow_collective", args=[collective.slug])
    response = client.post(url, {"next": "/"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-following="true"' in content
    assert "<html" not in content
    assert "<script" not in content
    assert reverse("follows:unfollow_collective", args=[collective.slug]) in content
    assert 'name="next" value="/"' in content  # the page it was on, not the POST address
    response = client.post(
        reverse("follows:unfollow_collective", args=[collective.slug]), HTTP_HX_REQUEST="true"
    )
    assert 'data-following="false"' in response.content.decode()
    assert not Follow.objects.exists()


def test_a_shop_that_is_not_public_is_not_found(client, customer):
    shop = MerchantFactory(status="draft")
    client.force_login(customer)
    assert client.post(follow_url(shop)).status_code == 404
    assert client.post(follow_url(MerchantFactory.build(slug="nulle-part"))).status_code == 404


def test_a_follower_can_unfollow_a_shop_that_closed(client, customer):
    shop = MerchantFactory(status="suspended")
    follows_shop(customer, shop)
    client.force_login(customer)
    response = client.post(reverse("follows:unfollow_shop", args=[shop.slug]))
    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_following_a_closed_shop_one_still_follows_says_why(client, customer):
    shop = MerchantFactory(status="suspended")
    follows_shop(customer, shop)
    client.force_login(customer)
    response = client.post(follow_url(shop), HTTP_HX_REQUEST="true")
    assert 'role="alert"' in response.content.decode()


def test_the_buttons_only_accept_post(client, customer):
    client.force_login(customer)
    assert client.get(follow_url(MerchantFactory())).status_code == 405


# --- The buttons on the shop and collective pages ------------------------------------------


def test_the_shop_page_offers_a_visitor_to_log_in_to_follow(client):
    shop = MerchantFactory()
    content = client.get(shop.get_absolute_url()).content.decode()
    assert "data-login-to-follow" in content
    assert f"?next={quote(shop.get_absolute_url())}" in content


def test_the_shop_page_shows_follow_then_unfollow(client, customer):
    shop = MerchantFactory()
    client.force_login(customer)
    content = client.get(shop.get_absolute_url()).content.decode()
    assert "data-follow-button" in content
    assert follow_url(shop) in content
    follows_shop(customer, shop)
    content = client.get(shop.get_absolute_url()).content.decode()
    assert "data-unfollow" in content
    assert 'data-following="true"' in content


def test_a_draft_shop_preview_has_no_follow_button(client):
    member = MerchantMemberFactory(merchant=MerchantFactory(status="draft"))
    client.force_login(member.user)
    content = client.get(member.merchant.get_absolute_url()).content.decode()
    assert "data-follow=" not in content


def test_the_collective_page_shows_the_button(client, customer):
    collective = CollectiveFactory()
    content = client.get(collective.get_absolute_url()).content.decode()
    assert "data-login-to-follow" in content
    client.force_login(customer)
    follows_collective(customer, collective)
    content = client.get(collective.get_absolute_url()).content.decode()
    assert 'data-follow="collective"' in content
    assert 'data-following="true"' in content


@pytest.mark.parametrize("page", ["shop", "collective"])
def test_the_button_costs_one_query_and_only_for_logged_in_people(client, customer, page):
    shop = MerchantFactory()
    collective = CollectiveFactory()
    MembershipFactory(collective=collective, merchant=shop)
    url = shop.get_absolute_url() if page == "shop" else collective.get_absolute_url()

    def follow_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return sum('"collectives_follow"' in q["sql"] for q in captured.captured_queries)

    assert follow_queries() == 0
    client.force_login(customer)
    assert follow_queries() == 1


# --- Selectors for other pages -------------------------------------------------------------


def test_is_following_costs_nothing_for_a_visitor(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert not is_following_shop(actor=AnonymousUser(), merchant=MerchantFactory.build())
        assert not is_following_collective(
            actor=AnonymousUser(), collective=CollectiveFactory.build()
        )


def test_is_following_tells_the_actors_own_follows(customer):
    shop, collective = MerchantFactory(), CollectiveFactory()
    follows_shop(UserFactory(), shop)
    assert not is_following_shop(actor=customer, merchant=shop)
    follows_shop(customer, shop)
    follows_collective(customer, collective)
    assert is_following_shop(actor=customer, merchant=shop)
    assert is_following_collective(actor=customer, collective=collective)


def test_follows_of_lists_the_persons_follows_with_their_targets(
    customer, django_assert_num_queries
):
    shop = MerchantFactory(status="suspended")
    collective = CollectiveFactory()
    follows_shop(customer, shop)
    follows_collective(customer, collective)
    follows_shop(UserFactory(), MerchantFactory())
    with django_assert_num_queries(1):
        targets = [f.merchant or f.collective for f in follows_of(user=customer)]
    assert targets == [collective, shop]  # newest first, closed shops included
