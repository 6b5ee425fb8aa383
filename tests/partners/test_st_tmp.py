import pytest
import schemathesis
from hypothesis import settings as hsettings, HealthCheck
from schemathesis import Case
from tests.factories import *
from tests.collectives.test_public_collective import ready_image
from config.wsgi import application

schema = schemathesis.pytest.from_fixture("api_schema")

@pytest.fixture
def api_schema(db, settings):
    settings.HALLE_API_ANONYMOUS_RATE_PER_MINUTE = 100000
    c = CollectiveFactory(slug="villeneuve")
    m = MerchantFactory(slug="au-bon-pain")
    MembershipFactory(collective=c, merchant=m)
    p = ProductFactory(merchant=m, stock=3)
    ready_image(p)
    EventFactory(collective=c)
    StoryFactory(merchant=m)
    OpeningHoursFactory(merchant=m)
    ClosureFactory(merchant=m)
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

@schema.include(method="GET").parametrize()
@hsettings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api(case: Case):
    case.call_and_validate()
