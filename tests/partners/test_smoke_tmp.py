import json
import pytest
from tests.factories import *
from tests.collectives.test_public_collective import ready_image

pytestmark = pytest.mark.django_db

def test_smoke(client):
    c = CollectiveFactory()
    m = MerchantFactory()
    MembershipFactory(collective=c, merchant=m)
    p = ProductFactory(merchant=m, stock=3)
    ready_image(p)
    EventFactory(collective=c)
    StoryImageFactory(story=StoryFactory(merchant=m), status="ready", renditions={"320": {"width": 320, "height": 200, "jpeg": "x.jpg", "webp": "x.webp"}})
    for url in ["/api/v1/collectives/", f"/api/v1/collectives/{c.slug}/", f"/api/v1/collectives/{c.slug}/merchants/",
                f"/api/v1/collectives/{c.slug}/products/?q=produit", f"/api/v1/merchants/{m.slug}/", f"/api/v1/merchants/{m.slug}/products/",
                f"/api/v1/products/{p.pk}/", f"/api/v1/collectives/{c.slug}/events/", f"/api/v1/collectives/{c.slug}/stories/",
                "/api/v1/nope/", f"/api/v1/collectives/{c.slug}/products/?min_price=abc&label=x"]:
        r = client.get(url)
        print(url, r.status_code, dict(r.headers))
        print(json.dumps(r.json(), indent=1, ensure_ascii=False)[:3000])
    r = client.get("/api/docs/")
    print(r.status_code, r.content[:3000])
