"""The demo data set loaded by ``manage.py seed_demo``: two collectives of a fictional town.

« Villeneuve-la-Halle » does not exist; its streets, shops, people, e-mail addresses
(``*.demo``, a reserved-looking suffix nobody can register) and telephone numbers (the ARCEP
ranges set aside for fiction, 05 36 49 … and 06 39 98 …) are invented. Products, prices and
VAT rates are meant to look like a real French high street: food, books and coffee at 5.5 %,
flowers and plants at 10 %, wine and everything else at 20 %.

Everything here is plain data; the command turns it into rows through the services. Each
person is keyed by e-mail, each shop by its owner and name, each product by its shop and
reference (SKU), so the seed can be run again and only adds what is missing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Label, Unit, VatRate
from merchants.models import Trade

# Every demo account has this password. Demo only: never load this data set in production.
DEMO_PASSWORD = "halle-demo"  # noqa: S105 -- documented demo credential

FOOD = Decimal(VatRate.REDUCED)  # 5.5 %: food, non-alcoholic drinks, books
HORTICULTURE = Decimal(VatRate.INTERMEDIATE)  # 10 %: cut flowers and plants
STANDARD = Decimal(VatRate.STANDARD)  # 20 %: wine and spirits, and most goods

HANDMADE = Label.HANDMADE.value
LOCAL = Label.LOCAL.value
ORGANIC = Label.ORGANIC.value
SEASONAL = Label.SEASONAL.value
SECOND_HAND = Label.SECOND_HAND.value
FRENCH_MADE = Label.FRENCH_MADE.value
ZERO_WASTE = Label.ZERO_WASTE.value

PIECE = Unit.PIECE.value
KG = Unit.KILOGRAM.value
G100 = Unit.HUNDRED_GRAMS.value
LITRE = Unit.LITRE.value
LOT = Unit.LOT.value


# --- Shapes of the data -------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A demo account. ``display_name`` follows the sign-up form's advice (« Marie L. »)."""

    email: str
    display_name: str


@dataclass(frozen=True)
class Item:
    """A product row. ``category`` and ``vat`` default to the shop's; ``stock`` None means the
    shop does not count units; ``photos`` is how many illustrations to draw (1 or 2)."""

    sku: str
    title: str
    price: Decimal
    description: str
    unit: str = PIECE
    labels: tuple[str, ...] = ()
    stock: int | None = None
    compare_at: Decimal | None = None
    category: str | None = None
    vat: Decimal | None = None
    draft: bool = False
    photos: int = 1


@dataclass(frozen=True)
class ClosurePlan:
    """An exceptional closure, in days from the day the seed runs (so it is always upcoming)."""

    starts_in_days: int
    days: int
    reason: str


@dataclass(frozen=True)
class Shop:
    key: str
    name: str
    trade: str
    owner: Person
    short_description: str
    story: str
    street: str
    postcode: str
    city: str
    position: tuple[Decimal, Decimal]
    phone: str
    hours: tuple[tuple[int, dt.time, dt.time], ...]
    category: str
    vat: Decimal
    products: tuple[Item, ...]
    staff: tuple[Person, ...] = ()
    closure: ClosurePlan | None = None
    publish: bool = True


@dataclass(frozen=True)
class StoryPlan:
    """A story of craft, told by the shop's owner, about some of its products (by SKU)."""

    shop: str
    title: str
    body: str
    products: tuple[str, ...] = ()
    video_url: str = ""


# How a shop comes to be in a collective.
BY_INVITATION = "invitation"  # an organiser invites, the owner accepts
BY_REQUEST = "request"  # the owner asks, an organiser approves
PENDING_REQUEST = "pending"  # the owner asked; nobody has answered yet


@dataclass(frozen=True)
class CollectivePlan:
    name: str
    town: str
    description: str
    charter: str
    centre: tuple[Decimal, Decimal]
    zoom: int
    admin: Person
    organisers: tuple[Person, ...]
    members: tuple[tuple[str, str], ...]  # (shop key, BY_INVITATION | BY_REQUEST | …)
    invitation: str


def P(sku: str, title: str, price: str, description: str, **extra: object) -> Item:
    """One product row; prices are written as strings so they stay exact Decimals."""
    compare_at = extra.pop("compare_at", None)
    return Item(
        sku=sku,
        title=title,
        price=Decimal(price),
        description=description,
        compare_at=Decimal(str(compare_at)) if compare_at is not None else None,
        **extra,  # type: ignore[arg-type]
    )


def around(centre: tuple[Decimal, Decimal], *, east: int, north: int) -> tuple[Decimal, Decimal]:
    """The point ``east`` and ``north`` metres from ``centre``, to the micro-degree."""
    lat, lon = float(centre[0]), float(centre[1])
    lat += north / 111_320
    lon += east / (111_320 * math.cos(math.radians(lat)))
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
TUE_TO_SAT = (TUE, WED, THU, FRI, SAT)


def week(*spec: tuple[tuple[int, ...], str]) -> tuple[tuple[int, dt.time, dt.time], ...]:
    """Weekly hours from ``((days), "9:30-12:30 14:00-19:00")`` pairs."""
    ranges: list[tuple[int, dt.time, dt.time]] = []
    for days, text in spec:
        for span in text.split():
            opens, closes = (dt.time.fromisoformat(t.zfill(5)) for t in span.split("-"))
            ranges.extend((day, opens, closes) for day in days)
    return tuple(ranges)


# --- The town ------------------------------------------------------------------------------

VILLENEUVE = (Decimal("44.401200"), Decimal("0.653800"))
VAL_DE_BRUNE = (Decimal("44.372500"), Decimal("0.712400"))
TOWN = "Villeneuve-la-Halle"
POSTCODE = "47390"

ORGANISER = Person("organisatrice@villeneuve.demo", "Claire V.")
CO_ORGANISER = Person("coorganisateur@villeneuve.demo", "Hugo B.")
MARKET_ORGANISER = Person("animatrice@val-de-brune.demo", "Martine L.")
CUSTOMER = Person("habitante@villeneuve.demo", "Léa M.")
PLATFORM_ADMIN = Person("admin@halle.demo", "Admin Halle")

BOULANGERIE = Shop(
    key="boulangerie",
    name="Au Fournil de la Halle",
    trade=Trade.BAKERY,
    owner=Person("boulangerie@villeneuve.demo", "Julien R."),
    staff=(Person("vendeuse.boulangerie@villeneuve.demo", "Inès T."),),
    short_description=(
        "Pains au levain, baguettes de tradition et viennoiseries pur beurre, "
        "cuits au feu de bois face à la halle."
    ),
    story=(
        "Julien a repris le fournil de la place en 2014, avec le four à bois de 1932 que "
        "son prédécesseur chauffait encore au sarment de vigne. Il travaille des farines "
        "du moulin de Brune, à huit kilomètres, et un levain qu'il nourrit deux fois par "
        "jour. Les pains fermentent une nuit entière : c'est ce qui leur donne leur croûte "
        "et les fait tenir toute la semaine."
    ),
    street="2 place de la Halle",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-40, north=25),
    phone="05 36 49 10 21",
    # Tuesday to Saturday all day; Sunday morning only, as most bakeries do.
    hours=week((TUE_TO_SAT, "7:00-13:00 15:30-19:30"), ((SUN,), "7:00-13:00")),
    category="alimentation-boulangerie",
    vat=FOOD,
    products=(
        P(
            "FOUR-01",
            "Baguette de tradition",
            "1.30",
            "Farine Label Rouge, pétrissage lent et 24 h de fermentation : croûte craquante "
            "et mie alvéolée.",
            labels=(HANDMADE,),
            photos=2,
        ),
        P(
            "FOUR-02",
            "Pain de campagne au levain (800 g)",
            "4.80",
            "Levain naturel et farine de meule du moulin de Brune. Il se garde quatre jours "
            "dans un torchon.",
            labels=(HANDMADE, LOCAL),
        ),
        P(
            "FOUR-03",
            "Pain complet aux graines",
            "3.90",
            "Farine complète, graines de lin, de tournesol et de courge torréfiées.",
            labels=(HANDMADE, ORGANIC),
        ),
        P(
            "FOUR-04",
            "Tourte de seigle (1 kg)",
            "5.20",
            "Un grand pain dense au goût acidulé, parfait avec les huîtres et le fromage.",
            labels=(HANDMADE,),
        ),
        P(
            "FOUR-05",
            "Fougasse aux olives",
            "3.50",
            "Pâte à l'huile d'olive, olives noires de Nyons et une pointe de thym.",
            labels=(HANDMADE,),
        ),
        P(
            "FOUR-06",
            "Pain aux noix",
            "4.20",
            "Un quart de cerneaux de noix du Périgord dans une pâte au levain.",
            labels=(HANDMADE, LOCAL),
        ),
        P(
            "FOUR-07",
            "Croissant au beurre AOP",
            "1.20",
            "Feuilletage au beurre Charentes-Poitou AOP, tourné chaque matin.",
            labels=(HANDMADE,),
        ),
        P(
            "FOUR-08",
            "Pain au chocolat",
            "1.30",
            "Deux barres de chocolat noir dans le même feuilletage que nos croissants.",
            labels=(HANDMADE,),
        ),
        P(
            "FOUR-09",
            "Brioche tressée pur beurre",
            "6.50",
            "Brioche filante aux œufs frais, dorée et parsemée de sucre perlé.",
            labels=(HANDMADE,),
            category="alimentation-patisserie",
        ),
        P(
            "FOUR-10",
            "Tarte aux pruneaux (6 parts)",
            "18.00",
            "Pâte sablée et pruneaux d'Agen pochés au thé. À réserver la veille.",
            labels=(HANDMADE, LOCAL),
            stock=4,
            category="alimentation-patisserie",
        ),
        P(
            "FOUR-11",
            "Flan pâtissier (la part)",
            "2.80",
            "Flan à la vanille de Madagascar sur une pâte brisée maison.",
            labels=(HANDMADE,),
            category="alimentation-patisserie",
        ),
        P(
            "FOUR-12",
            "Croustade aux pommes",
            "16.50",
            "La pâtisserie gasconne : pâte étirée à la main, pommes et un trait d'armagnac.",
            labels=(HANDMADE, LOCAL),
            stock=0,
            category="alimentation-patisserie",
        ),
        P(
            "FOUR-13",
            "Galette des rois à la frangipane",
            "22.00",
            "Pour six, avec sa fève en céramique de l'Atelier Terre & Feu. En janvier.",
            labels=(HANDMADE, SEASONAL),
            category="alimentation-patisserie",
            draft=True,
        ),
    ),
)

FROMAGERIE = Shop(
    key="fromagerie",
    name="Fromagerie Delmas",
    trade=Trade.CHEESE,
    owner=Person("fromagerie@villeneuve.demo", "Margaux D."),
    staff=(Person("commis.fromagerie@villeneuve.demo", "Bastien G."),),
    short_description=(
        "Fromages fermiers au lait cru affinés dans notre cave voûtée, beurres et yaourts."
    ),
    story=(
        "Margaux a appris l'affinage dans le Jura avant de revenir s'installer rue des "
        "Cordeliers, dans une ancienne cave à vin du XVIIe siècle. Elle choisit ses "
        "fromages chez une trentaine de fermes qu'elle visite chaque année, puis les "
        "retourne, les brosse et les soigne jusqu'à ce qu'ils soient à point."
    ),
    street="7 rue des Cordeliers",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=130, north=-60),
    phone="05 36 49 10 34",
    hours=week((TUE_TO_SAT, "8:30-12:30 15:00-19:00"), ((SUN,), "9:00-12:30")),
    category="alimentation-fromagerie",
    vat=FOOD,
    products=(
        P(
            "FROM-01",
            "Comté AOP 18 mois",
            "3.20",
            "Fruité, notes de noisette grillée et petits cristaux. Affiné dans le Doubs.",
            unit=G100,
            photos=2,
        ),
        P(
            "FROM-02",
            "Tomme des Pyrénées au lait cru",
            "2.60",
            "Pâte souple et croûte noire, un fromage de montagne doux et lacté.",
            unit=G100,
        ),
        P(
            "FROM-03",
            "Roquefort AOP",
            "3.40",
            "Persillé généreux, affiné dans les caves du Combalou.",
            unit=G100,
        ),
        P(
            "FROM-04",
            "Ossau-Iraty AOP fermier",
            "3.10",
            "Brebis des Pyrénées affiné dix mois : fondant, légèrement sucré.",
            unit=G100,
        ),
        P(
            "FROM-05",
            "Cabécou du Périgord",
            "1.90",
            "Petit palet de chèvre crémeux, à déguster frais ou tiède sur une salade.",
            labels=(LOCAL,),
        ),
        P(
            "FROM-06",
            "Brie de Meaux AOP",
            "2.40",
            "Cœur coulant et arômes de champignon, coupé à la demande.",
            unit=G100,
        ),
        P(
            "FROM-07",
            "Saint-Nectaire fermier",
            "2.70",
            "Croûte fleurie, pâte onctueuse aux notes de sous-bois.",
            unit=G100,
        ),
        P(
            "FROM-08",
            "Camembert de Normandie AOP au lait cru",
            "6.90",
            "Moulé à la louche, affiné cinq semaines dans notre cave.",
        ),
        P(
            "FROM-09",
            "Beurre de baratte demi-sel (250 g)",
            "4.90",
            "Beurre cru baratté à l'ancienne, au sel de Guérande.",
        ),
        P(
            "FROM-10",
            "Yaourts fermiers au lait de brebis (lot de 4)",
            "4.80",
            "Épais et doux, en pots de verre consignés.",
            unit=LOT,
            labels=(ZERO_WASTE,),
        ),
        P(
            "FROM-11",
            "Plateau découverte cinq fromages",
            "24.00",
            "Cinq fromages de saison pour quatre à six personnes, avec leur étiquette.",
            stock=6,
        ),
        P(
            "FROM-12",
            "Raclette fermière tranchée",
            "26.00",
            "Lait cru de Savoie, tranchée à l'épaisseur de votre choix.",
            unit=KG,
            labels=(SEASONAL,),
            compare_at="29.00",
        ),
        P(
            "FROM-13",
            "Fondue savoyarde prête à l'emploi (pour 4)",
            "28.00",
            "Beaufort, comté et emmental râpés, avec une bouteille de vin blanc de Savoie.",
            unit=LOT,
            labels=(SEASONAL,),
            stock=0,
        ),
    ),
)

PRIMEUR = Shop(
    key="primeur",
    name="Le Panier de Saison",
    trade=Trade.GREENGROCER,
    owner=Person("primeur@villeneuve.demo", "Karim B."),
    short_description=(
        "Fruits et légumes de saison, en priorité des fermes du Val de Brune et de la vallée."
    ),
    story=(
        "Karim est arrivé sur le marché de la halle il y a vingt ans avec une simple "
        "table de tomates. Aujourd'hui sa boutique travaille avec quinze producteurs à "
        "moins de trente kilomètres ; il va chercher lui-même les cagettes chaque matin "
        "et n'achète que ce qui se vendra dans la semaine."
    ),
    street="15 rue de la République",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-210, north=140),
    phone="05 36 49 10 47",
    hours=week((TUE_TO_SAT, "8:00-12:30 15:00-19:00"), ((SUN,), "8:30-12:30")),
    category="alimentation-primeur",
    vat=FOOD,
    products=(
        P(
            "PRIM-01",
            "Tomates cœur de bœuf",
            "4.90",
            "Charnues et parfumées, cultivées en plein champ à Saint-Aubin-de-Brune.",
            unit=KG,
            labels=(LOCAL, SEASONAL),
            photos=2,
        ),
        P(
            "PRIM-02",
            "Fraises gariguette (barquette 250 g)",
            "4.50",
            "Allongées, acidulées, cueillies la veille dans le Lot-et-Garonne.",
            labels=(LOCAL, SEASONAL),
            stock=12,
        ),
        P(
            "PRIM-03",
            "Pommes reine des reinettes",
            "3.20",
            "Croquantes et acidulées, parfaites en tarte comme à croquer.",
            unit=KG,
            labels=(LOCAL,),
        ),
        P(
            "PRIM-04",
            "Poires williams",
            "3.80",
            "Juteuses et très parfumées, à manger bien mûres.",
            unit=KG,
        ),
        P(
            "PRIM-05",
            "Pommes de terre grenaille",
            "2.90",
            "Petites pommes de terre à peau fine, à rôtir entières.",
            unit=KG,
            labels=(LOCAL,),
        ),
        P(
            "PRIM-06",
            "Carottes fanes bio (la botte)",
            "2.50",
            "Carottes nouvelles avec leurs fanes, pour une soupe ou un pesto.",
            labels=(ORGANIC, SEASONAL),
        ),
        P(
            "PRIM-07",
            "Salade batavia",
            "1.40",
            "Feuilles croquantes, cueillie du matin.",
            labels=(LOCAL,),
        ),
        P(
            "PRIM-08",
            "Courgettes",
            "2.80",
            "Vertes et fermes, de la ferme des Trois Chênes.",
            unit=KG,
            labels=(LOCAL, SEASONAL),
        ),
        P(
            "PRIM-09",
            "Oignons rosés",
            "3.40",
            "Doux et légèrement sucrés, délicieux crus en salade.",
            unit=KG,
        ),
        P(
            "PRIM-10",
            "Ail blanc de Lomagne IGP (la tête)",
            "1.50",
            "Gousses charnues et goût franc, de l'autre rive de la Garonne.",
            labels=(LOCAL,),
        ),
        P(
            "PRIM-11",
            "Citrons bio non traités",
            "4.80",
            "Zeste utilisable, de Sicile, en attendant nos agrumes d'hiver.",
            unit=KG,
            labels=(ORGANIC,),
        ),
        P(
            "PRIM-12",
            "Panier de la semaine",
            "18.00",
            "Environ 6 kg de fruits et légumes de saison pour deux à trois personnes.",
            unit=LOT,
            labels=(LOCAL, SEASONAL),
            stock=10,
        ),
        P(
            "PRIM-13",
            "Panier anti-gaspi",
            "6.00",
            "Fruits et légumes un peu abîmés mais parfaits pour les soupes et compotes.",
            unit=LOT,
            labels=(ZERO_WASTE,),
            stock=0,
            compare_at="9.00",
        ),
    ),
)

BOUCHERIE = Shop(
    key="boucherie",
    name="Boucherie Lacoste",
    trade=Trade.BUTCHER,
    owner=Person("boucherie@villeneuve.demo", "Thierry L."),
    short_description=(
        "Viandes d'éleveurs du Sud-Ouest, charcuterie et confits préparés dans notre atelier."
    ),
    story=(
        "Chez les Lacoste, on est bouchers depuis trois générations. Thierry achète ses "
        "bêtes sur pied chez des éleveurs de blonde d'Aquitaine et de porc gascon qu'il "
        "connaît par leur prénom, laisse maturer les carcasses trois semaines et fait "
        "lui-même pâtés, saucisses et confits selon les recettes de son grand-père."
    ),
    street="11 rue des Arcades",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=60, north=190),
    phone="05 36 49 10 58",
    hours=week((TUE_TO_SAT, "8:00-12:30 15:30-19:00"), ((SUN,), "8:30-12:30")),
    category="alimentation-boucherie",
    vat=FOOD,
    products=(
        P(
            "BOUC-01",
            "Entrecôte de blonde d'Aquitaine",
            "32.00",
            "Maturée trois semaines sur os, persillée et tendre.",
            unit=KG,
            labels=(LOCAL,),
            photos=2,
        ),
        P(
            "BOUC-02",
            "Bavette d'aloyau",
            "26.50",
            "Un morceau à fibres longues, savoureux saisi à la poêle.",
            unit=KG,
            labels=(LOCAL,),
        ),
        P(
            "BOUC-03",
            "Rôti de porc fermier dans l'échine",
            "16.90",
            "Porc élevé en plein air dans le Gers, ficelé par nos soins.",
            unit=KG,
            labels=(LOCAL,),
        ),
        P(
            "BOUC-04",
            "Côtes d'agneau du Quercy IGP",
            "29.00",
            "Agneau de lait élevé sous la mère sur les causses.",
            unit=KG,
        ),
        P(
            "BOUC-05",
            "Poulet fermier Label Rouge",
            "11.50",
            "Poulet jaune élevé 110 jours en liberté, prêt à rôtir.",
            unit=KG,
        ),
        P(
            "BOUC-06",
            "Magret de canard du Sud-Ouest IGP",
            "24.00",
            "Environ 400 g pièce, à griller côté peau.",
            unit=KG,
            labels=(LOCAL,),
        ),
        P(
            "BOUC-07",
            "Confit de canard (4 cuisses)",
            "22.00",
            "Cuisses confites lentement dans leur graisse, en bocal de verre.",
            unit=LOT,
            labels=(HANDMADE, LOCAL),
            category="alimentation-charcuterie",
        ),
        P(
            "BOUC-08",
            "Saucisse de Toulouse maison",
            "13.90",
            "Pur porc, embossée chaque matin dans notre atelier.",
            unit=KG,
            labels=(HANDMADE,),
            category="alimentation-charcuterie",
        ),
        P(
            "BOUC-09",
            "Jambon de Bayonne IGP tranché",
            "3.50",
            "Séché douze mois, tranché fin à la commande.",
            unit=G100,
            category="alimentation-charcuterie",
        ),
        P(
            "BOUC-10",
            "Pâté de campagne maison",
            "2.20",
            "Gorge et foie de porc, poivre et armagnac, cuit en terrine.",
            unit=G100,
            labels=(HANDMADE,),
            category="alimentation-charcuterie",
        ),
        P(
            "BOUC-11",
            "Merguez maison",
            "15.50",
            "Bœuf et agneau, harissa douce et cumin.",
            unit=KG,
            labels=(HANDMADE, SEASONAL),
            category="alimentation-charcuterie",
        ),
        P(
            "BOUC-12",
            "Colis barbecue (2 kg)",
            "39.00",
            "Saucisses, merguez, côtes de porc et brochettes marinées pour six.",
            unit=LOT,
            labels=(SEASONAL,),
            stock=5,
            compare_at="45.00",
        ),
        P(
            "BOUC-13",
            "Foie gras de canard entier mi-cuit",
            "12.50",
            "Préparé à l'atelier, au sel et au poivre seulement.",
            unit=G100,
            labels=(HANDMADE, LOCAL),
            stock=0,
            category="alimentation-charcuterie",
        ),
    ),
)

CAVISTE = Shop(
    key="caviste",
    name="Le Cellier des Bastides",
    trade=Trade.WINE,
    owner=Person("caviste@villeneuve.demo", "Sophie G."),
    short_description=(
        "Vins de vignerons du Sud-Ouest, spiritueux gascons, bières et jus de la région."
    ),
    story=(
        "Sophie a été sommelière à Bordeaux pendant dix ans avant d'ouvrir sa cave dans "
        "une ancienne mercerie. Elle goûte tout ce qu'elle vend, privilégie les petits "
        "domaines de Buzet, de Duras et du Brulhois, et propose un vin du moment au "
        "tirage pour remplir vos propres bouteilles."
    ),
    street="4 rue du Beffroi",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=240, north=110),
    phone="05 36 49 10 63",
    hours=week((TUE_TO_SAT, "10:00-12:30 15:00-19:30")),
    category="alimentation-cave-et-boissons",
    vat=STANDARD,
    products=(
        P(
            "CAVE-01",
            "Buzet rouge « Château de la Brune » 2020",
            "12.50",
            "Merlot et cabernet franc, fruits noirs et tanins souples.",
            labels=(LOCAL,),
            photos=2,
        ),
        P(
            "CAVE-02",
            "Côtes-de-Duras blanc sec 2023",
            "9.80",
            "Sauvignon et sémillon, vif et floral, pour les poissons et le chèvre.",
            labels=(LOCAL,),
        ),
        P(
            "CAVE-03",
            "Cahors malbec « Clos des Trois Ponts » 2019",
            "16.00",
            "Un « vin noir » puissant, à carafer une heure avant le repas.",
        ),
        P(
            "CAVE-04",
            "Bergerac rosé 2024",
            "8.50",
            "Frais et gourmand, notes de groseille.",
            labels=(SEASONAL,),
        ),
        P(
            "CAVE-05",
            "Brulhois rouge « Terres de Garonne » 2021",
            "11.00",
            "Tannat et cabernet d'un petit vignoble voisin, rustique et épicé.",
            labels=(LOCAL, ORGANIC),
        ),
        P(
            "CAVE-06",
            "Vin rouge du moment au tirage",
            "4.50",
            "Apportez vos bouteilles : un vin de pays du Lot-et-Garonne servi au litre.",
            unit=LITRE,
            labels=(LOCAL, ZERO_WASTE),
        ),
        P(
            "CAVE-07",
            "Champagne brut de vigneron",
            "34.00",
            "Récoltant-manipulant de la Montagne de Reims, bulles fines.",
        ),
        P(
            "CAVE-08",
            "Floc de Gascogne blanc",
            "17.00",
            "L'apéritif gascon : jus de raisin et armagnac, à servir bien frais.",
            labels=(LOCAL,),
        ),
        P(
            "CAVE-09",
            "Bas-armagnac VSOP",
            "42.00",
            "Quatre ans en fût de chêne, notes de pruneau et de vanille.",
            compare_at="48.00",
        ),
        P(
            "CAVE-10",
            "Bière blonde artisanale (33 cl)",
            "3.20",
            "Brassée à Villeneuve-la-Halle avec de l'orge de la vallée.",
            labels=(LOCAL, HANDMADE),
        ),
        P(
            "CAVE-11",
            "Jus de pomme pétillant (75 cl)",
            "4.90",
            "Sans alcool, des Vergers de Lascombes.",
            labels=(LOCAL,),
            vat=FOOD,
        ),
        P(
            "CAVE-12",
            "Coffret découverte : trois vins du Sud-Ouest",
            "36.00",
            "Un Buzet, un Duras et un Cahors, avec leurs fiches de dégustation.",
            unit=LOT,
            stock=7,
        ),
        P(
            "CAVE-13",
            "Saint-Émilion grand cru 2015 en magnum",
            "89.00",
            "Un millésime solaire, prêt à boire, pour les grandes tablées.",
            stock=0,
        ),
    ),
)

LIBRAIRIE = Shop(
    key="librairie",
    name="Librairie Les Mots Passants",
    trade=Trade.BOOKS,
    owner=Person("librairie@villeneuve.demo", "Antoine M."),
    short_description=(
        "Librairie générale : romans, jeunesse, bande dessinée, histoire locale et papeterie."
    ),
    story=(
        "Antoine a ouvert la librairie en 2011 dans l'ancienne imprimerie du journal local, "
        "dont il a gardé les casses de caractères. Il lit chaque semaine les nouveautés "
        "pour écrire ses petits mots glissés dans les livres, et reçoit un auteur par mois "
        "dans l'arrière-boutique."
    ),
    street="23 rue Sainte-Catherine",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-150, north=-230),
    phone="05 36 49 10 72",
    hours=week(((TUE, WED, THU, FRI), "9:30-12:30 14:00-19:00"), ((SAT,), "9:30-19:00")),
    category="culture-et-loisirs-livres",
    vat=FOOD,  # books are at the reduced 5.5 % rate
    closure=ClosurePlan(starts_in_days=12, days=3, reason="Inventaire annuel"),
    products=(
        P(
            "LIBR-01",
            "Les Bastides du Lot-et-Garonne, guide illustré",
            "24.00",
            "Cinquante villages à arcades racontés et dessinés par un historien du pays.",
            labels=(LOCAL,),
            stock=5,
            photos=2,
        ),
        P(
            "LIBR-02",
            "Recettes de la vallée du Lot",
            "19.90",
            "Garbure, croustade, tourin : cent recettes de grands-mères du pays.",
            labels=(LOCAL,),
            stock=8,
        ),
        P(
            "LIBR-03",
            "La Maison des quatre saisons, roman",
            "21.00",
            "Une famille, une ferme et un siècle de vendanges : le coup de cœur de la rentrée.",
            stock=3,
        ),
        P(
            "LIBR-04",
            "Le Jardinier de la halle (poche)",
            "8.90",
            "Un polar doux-amer sur un marché de province, à lire d'une traite.",
            stock=6,
        ),
        P(
            "LIBR-05",
            "Madame Bovary (poche)",
            "6.90",
            "Le roman de Flaubert dans une édition de poche annotée.",
            stock=4,
        ),
        P(
            "LIBR-06",
            "Les Misérables, tome 1 (poche)",
            "9.50",
            "Fantine et Cosette : le premier volume du roman de Victor Hugo.",
            stock=2,
        ),
        P(
            "LIBR-07",
            "Petit Ours et la rivière, album jeunesse",
            "13.90",
            "Un album tout en aquarelles pour les trois à six ans.",
            stock=0,
        ),
        P(
            "LIBR-08",
            "Carnet de randonnées en Lot-et-Garonne",
            "14.50",
            "Trente boucles à pied, avec cartes et dénivelés.",
            labels=(LOCAL,),
            stock=7,
        ),
        P(
            "LIBR-09",
            "Les Enquêtes de Madame Lafitte, tome 3, BD",
            "15.95",
            "La détective retraitée enquête cette fois à la foire aux pruneaux.",
            stock=4,
        ),
        P(
            "LIBR-10",
            "Le Grand Meaulnes, d'occasion",
            "3.50",
            "Édition de 1971 en bon état, quelques annotations au crayon.",
            labels=(SECOND_HAND,),
            stock=1,
        ),
        P(
            "LIBR-11",
            "Carnet de notes A5 en papier recyclé",
            "9.00",
            "96 pages lignées, couverture en carton gris, cousu main.",
            labels=(FRENCH_MADE, HANDMADE),
            category="culture-et-loisirs-papeterie",
            vat=STANDARD,
        ),
        P(
            "LIBR-12",
            "Cartes postales de la halle (lot de 5)",
            "6.00",
            "Cinq illustrations de la place au fil des saisons, par une dessinatrice d'ici.",
            unit=LOT,
            labels=(LOCAL,),
            category="culture-et-loisirs-papeterie",
            vat=STANDARD,
        ),
        P(
            "LIBR-13",
            "Marque-page en cuir",
            "5.50",
            "Cuir végétal embossé du logo de la librairie.",
            labels=(HANDMADE,),
            category="culture-et-loisirs-papeterie",
            vat=STANDARD,
        ),
    ),
)

FLEURISTE = Shop(
    key="fleuriste",
    name="Fleurs de Lise",
    trade=Trade.FLORIST,
    owner=Person("fleuriste@villeneuve.demo", "Élise C."),
    short_description=(
        "Bouquets de saison, fleurs de producteurs français, plantes et fleurs séchées."
    ),
    story=(
        "Élise cultive une partie de ses fleurs sur un demi-hectare au bord du Lot et "
        "achète le reste à des horticulteurs français. Pas de roses venues d'avion : ses "
        "bouquets suivent les saisons, des renoncules du printemps aux dahlias d'octobre."
    ),
    street="9 rue du Lavoir",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=320, north=-140),
    phone="05 36 49 10 86",
    hours=week((TUE_TO_SAT, "9:00-12:30 14:30-19:00"), ((SUN,), "9:00-13:00")),
    category="maison-fleurs",
    vat=HORTICULTURE,
    products=(
        P(
            "FLEU-01",
            "Bouquet du jour",
            "35.00",
            "Composé le matin avec les plus belles fleurs de la saison.",
            labels=(LOCAL, SEASONAL),
            photos=2,
        ),
        P(
            "FLEU-02",
            "Bouquet champêtre",
            "25.00",
            "Fleurs des champs et feuillages du jardin, noués de raphia.",
            labels=(LOCAL, SEASONAL),
        ),
        P(
            "FLEU-03",
            "Petit bouquet « merci »",
            "15.00",
            "Une attention toute simple, à offrir sans occasion.",
            labels=(SEASONAL,),
        ),
        P(
            "FLEU-04",
            "Pivoines (botte de 5 tiges)",
            "18.00",
            "En boutons, elles s'ouvrent en deux jours et tiennent une semaine.",
            labels=(SEASONAL,),
            stock=6,
        ),
        P(
            "FLEU-05",
            "Rose de jardin (la tige)",
            "3.50",
            "Roses parfumées cultivées sans chauffage au bord du Lot.",
            labels=(LOCAL,),
        ),
        P(
            "FLEU-06",
            "Tulipes (botte de 10)",
            "12.00",
            "Tulipes françaises de toutes les couleurs, au printemps.",
            labels=(SEASONAL,),
        ),
        P(
            "FLEU-07",
            "Orchidée phalaenopsis",
            "29.00",
            "Deux hampes, avec son cache-pot. Fleurit plusieurs mois.",
            category="maison-jardin-et-plantes",
        ),
        P(
            "FLEU-08",
            "Olivier en pot (60 cm)",
            "45.00",
            "Rustique jusqu'à -10 °C, pour une terrasse ensoleillée.",
            category="maison-jardin-et-plantes",
            compare_at="55.00",
            stock=4,
        ),
        P(
            "FLEU-09",
            "Plante grasse en pot de terre cuite",
            "9.50",
            "Une succulente facile à vivre, dans un pot tourné à Biot.",
            category="maison-jardin-et-plantes",
        ),
        P(
            "FLEU-10",
            "Composition de fleurs séchées",
            "32.00",
            "Lin, statice et graminées du jardin, qui durent toute l'année.",
            labels=(HANDMADE, LOCAL),
            category="maison-decoration",
            vat=STANDARD,
        ),
        P(
            "FLEU-11",
            "Couronne de porte de saison",
            "39.00",
            "Tressée à la main sur une base de vigne, avec les feuillages du moment.",
            labels=(HANDMADE, SEASONAL),
            stock=3,
            category="maison-decoration",
            vat=STANDARD,
        ),
        P(
            "FLEU-12",
            "Vase en grès (fait à Villeneuve)",
            "28.00",
            "Tourné par l'Atelier Terre & Feu, émail vert céladon.",
            labels=(HANDMADE, LOCAL),
            category="maison-decoration",
            vat=STANDARD,
            stock=5,
        ),
    ),
)

CERAMISTE = Shop(
    key="ceramiste",
    name="Atelier Terre & Feu",
    trade=Trade.CRAFT,
    owner=Person("ceramiste@villeneuve.demo", "Camille F."),
    short_description=(
        "Vaisselle en grès tournée et émaillée à la main dans l'atelier-boutique, et cours de tour."
    ),
    story=(
        "Camille tourne chaque pièce dans l'atelier que vous voyez derrière la vitrine. "
        "Ses émaux, elle les compose elle-même à partir de cendres de bois et de terres "
        "de la vallée ; chaque cuisson à 1 280 °C dure une journée entière, et aucune "
        "pièce ne sort tout à fait pareille que la précédente."
    ),
    street="18 boulevard des Tanneurs",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-380, north=-60),
    phone="05 36 49 10 93",
    hours=week(((WED, THU, FRI, SAT), "10:00-13:00 14:30-18:30")),
    category="maison-ceramique",
    vat=STANDARD,
    products=(
        P(
            "TERR-01",
            "Bol en grès émaillé bleu",
            "24.00",
            "Pour le café au lait ou la soupe, émail bleu profond sur grès chamotté.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=8,
            photos=2,
        ),
        P(
            "TERR-02",
            "Tasse à café",
            "18.00",
            "Huit centilitres, anse tirée à la main.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=12,
        ),
        P(
            "TERR-03",
            "Assiette plate (27 cm)",
            "32.00",
            "Émail blanc cassé mouchetée, passe au lave-vaisselle.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=6,
            category="maison-art-de-la-table",
        ),
        P(
            "TERR-04",
            "Assiette à dessert (20 cm)",
            "22.00",
            "La petite sœur de l'assiette plate, pour les gâteaux du dimanche.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=9,
            category="maison-art-de-la-table",
        ),
        P(
            "TERR-05",
            "Théière (1 litre)",
            "85.00",
            "Filtre intégré et bec qui ne goutte pas : deux mois de mise au point.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=1,
        ),
        P(
            "TERR-06",
            "Vase soliflore",
            "19.00",
            "Pour une seule fleur ou une branche, émail vert céladon.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=10,
        ),
        P(
            "TERR-07",
            "Grand saladier",
            "68.00",
            "Trente centimètres de diamètre, pour les tablées d'été.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=0,
        ),
        P(
            "TERR-08",
            "Pichet à eau",
            "45.00",
            "Un litre et demi, émail miel coulant.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=3,
        ),
        P(
            "TERR-09",
            "Gobelets (lot de 4)",
            "60.00",
            "Quatre gobelets sans anse, chacun d'une couleur d'émail.",
            unit=LOT,
            labels=(HANDMADE, FRENCH_MADE),
            stock=4,
            category="maison-art-de-la-table",
        ),
        P(
            "TERR-10",
            "Photophore ajouré",
            "26.00",
            "Percé à la main, il dessine des étoiles sur les murs.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=5,
            category="maison-luminaires",
        ),
        P(
            "TERR-11",
            "Beurrier à eau",
            "34.00",
            "Le beurre reste tendre et frais sans réfrigérateur.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=2,
        ),
        P(
            "TERR-12",
            "Bol second choix",
            "12.00",
            "Un petit défaut d'émail, la même qualité d'usage.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=5,
            compare_at="24.00",
        ),
        P(
            "TERR-13",
            "Initiation au tour (atelier de 2 h)",
            "55.00",
            "Le samedi matin, quatre personnes au plus ; vos pièces cuites vous attendent "
            "trois semaines plus tard.",
            stock=4,
            category="services-ateliers-et-cours",
        ),
    ),
)

CREATRICE = Shop(
    key="creatrice",
    name="Maison Anouk",
    trade=Trade.FASHION,
    owner=Person("bijoux@villeneuve.demo", "Anouk P."),
    short_description=(
        "Bijoux en laiton et argent, accessoires en soie et en lin, créés dans l'atelier du fond."
    ),
    story=(
        "Anouk a été styliste à Paris avant de revenir dans la maison de sa grand-mère, "
        "couturière rue des Arcades. Elle façonne ses bijoux au marteau et à la scie "
        "de bijoutier, en métaux recyclés, et confie ses tissus à un atelier de "
        "confection de Tonneins."
    ),
    street="21 rue des Arcades",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=90, north=260),
    phone="05 36 49 11 05",
    hours=week((TUE_TO_SAT, "10:00-12:30 14:00-19:00")),
    category="mode-bijoux",
    vat=STANDARD,
    products=(
        P(
            "ANOU-01",
            "Boucles d'oreilles « Goutte » en laiton doré",
            "38.00",
            "Légères, martelées à la main, crochets en argent 925.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=5,
            photos=2,
        ),
        P(
            "ANOU-02",
            "Collier « Ruisseau » en argent 925",
            "65.00",
            "Une onde d'argent recyclé sur une chaîne fine de 45 cm.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=3,
        ),
        P(
            "ANOU-03",
            "Bague fine martelée",
            "42.00",
            "Argent recyclé, taille sur demande du 48 au 60.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=0,
        ),
        P(
            "ANOU-04",
            "Bracelet jonc en laiton",
            "48.00",
            "Ouvert, il s'ajuste à tous les poignets.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=4,
        ),
        P(
            "ANOU-05",
            "Créoles en argent",
            "55.00",
            "Vingt-cinq millimètres, fermoir invisible.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=6,
        ),
        P(
            "ANOU-06",
            "Broche « Hirondelle » émaillée",
            "29.00",
            "Émail à froid sur laiton, pour un col ou un revers.",
            labels=(HANDMADE, FRENCH_MADE),
            stock=7,
        ),
        P(
            "ANOU-07",
            "Foulard en soie imprimé",
            "59.00",
            "Carré de 70 cm, motif de la halle imprimé à Lyon.",
            labels=(FRENCH_MADE,),
            category="mode-accessoires",
        ),
        P(
            "ANOU-08",
            "Sac cabas en lin",
            "45.00",
            "Lin lavé épais, anses en cuir, grande poche intérieure.",
            labels=(FRENCH_MADE,),
            category="mode-accessoires",
        ),
        P(
            "ANOU-09",
            "Pochette en cuir végétal",
            "39.00",
            "Tannage végétal, cousue point sellier.",
            labels=(HANDMADE, FRENCH_MADE),
            category="mode-maroquinerie",
            stock=3,
        ),
        P(
            "ANOU-10",
            "Chouchou en soie",
            "12.00",
            "Dans les chutes de nos foulards : rien ne se perd.",
            labels=(HANDMADE, ZERO_WASTE),
            category="mode-accessoires",
        ),
        P(
            "ANOU-11",
            "Bonnet en laine mérinos",
            "35.00",
            "Tricoté main, côtes anglaises, taille unique.",
            labels=(HANDMADE, SEASONAL),
            category="mode-accessoires",
            stock=6,
        ),
        P(
            "ANOU-12",
            "Robe portefeuille en lin",
            "120.00",
            "Lin français, coupe portefeuille, du 36 au 46.",
            labels=(FRENCH_MADE,),
            category="mode-vetements-femme",
            compare_at="145.00",
        ),
        P(
            "ANOU-13",
            "Écharpe en laine des Pyrénées",
            "49.00",
            "Laine de brebis tissée à Lavelanet. Collection d'hiver, bientôt en boutique.",
            labels=(FRENCH_MADE, SEASONAL),
            category="mode-accessoires",
            draft=True,
        ),
    ),
)

SAVONNERIE = Shop(
    key="savonnerie",
    name="La Savonnerie du Lavoir",
    trade=Trade.BEAUTY,
    owner=Person("savonnerie@villeneuve.demo", "Nadia F."),
    short_description=(
        "Savons saponifiés à froid, cosmétiques solides et soins aux plantes de la vallée."
    ),
    story=(
        "Nadia fabrique ses savons par saponification à froid, qui garde intacts les "
        "huiles et le lait de chèvre de la Chèvrerie du Moulin. Chaque fournée sèche six "
        "semaines sur les claies de l'ancien lavoir municipal, d'où le nom de la boutique."
    ),
    street="6 rue du Lavoir",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=280, north=-260),
    phone="05 36 49 11 14",
    hours=week((TUE_TO_SAT, "9:30-12:30 14:00-19:00")),
    category="beaute-et-bien-etre-savons",
    vat=STANDARD,
    products=(
        P(
            "SAVO-01",
            "Savon au lait de chèvre et au miel",
            "6.50",
            "Très doux, pour le visage et les peaux sèches. 100 g.",
            labels=(HANDMADE, LOCAL, ZERO_WASTE),
            photos=2,
        ),
        P(
            "SAVO-02",
            "Savon à la lavande du Quercy",
            "6.00",
            "Huile essentielle de lavande fine et fleurs séchées. 100 g.",
            labels=(HANDMADE, ZERO_WASTE),
        ),
        P(
            "SAVO-03",
            "Savon exfoliant au marc de café",
            "6.00",
            "Avec le marc de la Brûlerie du Beffroi, pour les mains des jardiniers.",
            labels=(HANDMADE, LOCAL, ZERO_WASTE),
        ),
        P(
            "SAVO-04",
            "Savon surgras sans parfum",
            "5.50",
            "Pour les peaux sensibles et les bébés. 100 g.",
            labels=(HANDMADE, ZERO_WASTE),
        ),
        P(
            "SAVO-05",
            "Shampoing solide à l'ortie",
            "9.50",
            "Cheveux gras à normaux, l'équivalent de deux flacons.",
            labels=(HANDMADE, ZERO_WASTE),
            category="beaute-et-bien-etre-cosmetiques",
        ),
        P(
            "SAVO-06",
            "Après-shampoing solide au karité",
            "10.50",
            "Démêle et nourrit sans alourdir.",
            labels=(HANDMADE, ZERO_WASTE),
            category="beaute-et-bien-etre-cosmetiques",
        ),
        P(
            "SAVO-07",
            "Déodorant solide à la sauge",
            "8.90",
            "Sans sels d'aluminium, dans un étui en carton.",
            labels=(HANDMADE, ZERO_WASTE),
            category="beaute-et-bien-etre-cosmetiques",
        ),
        P(
            "SAVO-08",
            "Baume à lèvres à la cire d'abeille",
            "4.50",
            "Cire du Rucher de la Brune et huile d'amande douce.",
            labels=(HANDMADE, LOCAL),
            category="beaute-et-bien-etre-soins",
        ),
        P(
            "SAVO-09",
            "Crème mains au beurre de karité",
            "12.00",
            "Pénètre vite, en tube d'aluminium recyclable. 50 ml.",
            labels=(HANDMADE,),
            category="beaute-et-bien-etre-soins",
        ),
        P(
            "SAVO-10",
            "Huile de massage à l'arnica (100 ml)",
            "16.00",
            "Macérat d'arnica dans l'huile de tournesol, après le sport.",
            labels=(HANDMADE,),
            category="beaute-et-bien-etre-soins",
        ),
        P(
            "SAVO-11",
            "Porte-savon en bois d'olivier",
            "8.00",
            "Rainuré pour que le savon sèche et dure plus longtemps.",
            labels=(ZERO_WASTE,),
        ),
        P(
            "SAVO-12",
            "Coffret de trois savons",
            "17.00",
            "Lait de chèvre, lavande et marc de café dans une boîte en carton kraft.",
            unit=LOT,
            labels=(HANDMADE, LOCAL),
            stock=10,
            compare_at="18.50",
        ),
        P(
            "SAVO-13",
            "Bougie parfumée à la figue",
            "22.00",
            "Cire de colza, mèche en coton, environ 40 heures.",
            labels=(HANDMADE, FRENCH_MADE),
            category="maison-decoration",
            stock=0,
        ),
    ),
)

EPICERIE = Shop(
    key="epicerie",
    name="Vrac & Bocal",
    trade=Trade.GROCERY,
    owner=Person("epicerie@villeneuve.demo", "Lucie M."),
    staff=(Person("equipier.epicerie@villeneuve.demo", "Yanis K."),),
    short_description=(
        "Épicerie en vrac : légumineuses, céréales, fruits secs, huiles et vinaigres à la tireuse."
    ),
    story=(
        "Lucie a ouvert Vrac & Bocal après avoir compté un jour les emballages jetés par "
        "sa famille en une semaine. Venez avec vos bocaux, ou empruntez les nôtres contre "
        "une petite consigne ; tout est pesé devant vous et vendu au poids juste."
    ),
    street="3 place du Marché-aux-Grains",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-260, north=-170),
    phone="05 36 49 11 27",
    hours=week((TUE_TO_SAT, "9:30-13:00 15:00-19:00")),
    category="alimentation-epicerie",
    vat=FOOD,
    products=(
        P(
            "VRAC-01",
            "Lentilles vertes",
            "5.90",
            "Petites lentilles vertes bio qui tiennent à la cuisson.",
            unit=KG,
            labels=(ORGANIC, ZERO_WASTE),
            photos=2,
        ),
        P(
            "VRAC-02",
            "Riz basmati complet",
            "4.80",
            "Grains longs parfumés, cuisson en vingt-cinq minutes.",
            unit=KG,
            labels=(ORGANIC, ZERO_WASTE),
        ),
        P(
            "VRAC-03",
            "Fusilli semi-complets",
            "4.20",
            "Pâtes de blé dur français séchées lentement.",
            unit=KG,
            labels=(ORGANIC, ZERO_WASTE, FRENCH_MADE),
        ),
        P(
            "VRAC-04",
            "Flocons d'avoine",
            "3.60",
            "Pour le porridge et le granola.",
            unit=KG,
            labels=(ORGANIC, ZERO_WASTE),
        ),
        P(
            "VRAC-05",
            "Farine de blé T80 du moulin de Brune",
            "2.40",
            "Farine bise moulue sur meule de pierre, idéale pour le pain maison.",
            unit=KG,
            labels=(LOCAL, ZERO_WASTE),
        ),
        P(
            "VRAC-06",
            "Amandes décortiquées",
            "2.60",
            "Amandes de Provence, entières et non grillées.",
            unit=G100,
            labels=(ZERO_WASTE,),
        ),
        P(
            "VRAC-07",
            "Cerneaux de noix du Périgord AOP",
            "3.20",
            "Récolte de l'automne dernier, cassés à la main.",
            unit=G100,
            labels=(LOCAL, ZERO_WASTE),
        ),
        P(
            "VRAC-08",
            "Pruneaux d'Agen IGP",
            "1.90",
            "Moelleux, des Vergers de Lascombes.",
            unit=G100,
            labels=(LOCAL, ZERO_WASTE),
        ),
        P(
            "VRAC-09",
            "Huile d'olive vierge extra",
            "14.50",
            "Première pression à froid, à la tireuse dans votre bouteille.",
            unit=LITRE,
            labels=(ORGANIC, ZERO_WASTE),
        ),
        P(
            "VRAC-10",
            "Vinaigre de cidre",
            "4.50",
            "Non filtré, d'un cidrier de Bretagne.",
            unit=LITRE,
            labels=(ZERO_WASTE, FRENCH_MADE),
        ),
        P(
            "VRAC-11",
            "Sucre de canne complet",
            "4.90",
            "Rapadura au goût de réglisse et de caramel.",
            unit=KG,
            labels=(ORGANIC, ZERO_WASTE),
        ),
        P(
            "VRAC-12",
            "Pistoles de chocolat noir 70 %",
            "2.90",
            "Pour la pâtisserie ou à croquer, cacao du Pérou.",
            unit=G100,
            labels=(ORGANIC, ZERO_WASTE),
            category="alimentation-chocolaterie-et-confiserie",
        ),
        P(
            "VRAC-13",
            "Bocal en verre (1 litre)",
            "2.00",
            "Bocal à joint consigné, rendu contre remboursement.",
            labels=(ZERO_WASTE,),
            vat=STANDARD,
            category="maison-art-de-la-table",
            stock=40,
        ),
        P(
            "VRAC-14",
            "Granola maison aux noisettes",
            "1.80",
            "Avoine, noisettes et miel, toasté à la boutique. Recette en cours de réglage.",
            unit=G100,
            labels=(HANDMADE, ZERO_WASTE),
            draft=True,
        ),
    ),
)

TORREFACTEUR = Shop(
    key="torrefacteur",
    name="Brûlerie du Beffroi",
    trade=Trade.GROCERY,
    owner=Person("torrefacteur@villeneuve.demo", "Mathieu C."),
    short_description=(
        "Cafés de spécialité torréfiés chaque semaine sous vos yeux, thés et infusions."
    ),
    story=(
        "Mathieu torréfie le mardi et le vendredi dans un petit brûloir de quinze kilos "
        "installé en vitrine : toute la rue sait quand c'est jour de café. Il achète ses "
        "grains verts à des coopératives qu'il connaît et les moud à la demande pour "
        "votre cafetière."
    ),
    street="1 rue du Beffroi",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=190, north=40),
    phone="05 36 49 11 38",
    hours=week((TUE_TO_SAT, "9:00-19:00")),
    category="alimentation-the-et-cafe",
    vat=FOOD,
    products=(
        P(
            "BRUL-01",
            "Café Éthiopie Yirgacheffe (250 g)",
            "9.50",
            "Notes de jasmin et d'agrumes, en grains ou moulu pour votre cafetière.",
            labels=(HANDMADE,),
            photos=2,
        ),
        P(
            "BRUL-02",
            "Café Brésil Cerrado (250 g)",
            "7.90",
            "Rond et chocolaté, notre café du quotidien.",
            labels=(HANDMADE,),
        ),
        P(
            "BRUL-03",
            "Café Colombie décaféiné (250 g)",
            "8.90",
            "Décaféiné à l'eau, sans solvant, pour le soir.",
            labels=(HANDMADE,),
        ),
        P(
            "BRUL-04",
            "Mélange « Beffroi » pour espresso",
            "28.00",
            "Brésil et Guatemala, torréfaction plus poussée, crème épaisse.",
            unit=KG,
            labels=(HANDMADE,),
        ),
        P(
            "BRUL-05",
            "Café Guatemala Huehuetenango",
            "3.20",
            "Fruits rouges et cacao, servi au poids.",
            unit=G100,
            labels=(HANDMADE,),
        ),
        P(
            "BRUL-06",
            "Thé vert sencha",
            "4.50",
            "Feuilles japonaises vives et iodées.",
            unit=G100,
            labels=(ORGANIC,),
        ),
        P(
            "BRUL-07",
            "Thé noir Earl Grey à la bergamote",
            "3.90",
            "Ceylan parfumé à l'huile essentielle de bergamote.",
            unit=G100,
        ),
        P(
            "BRUL-08",
            "Rooibos à la vanille",
            "3.60",
            "Sans théine, doux et gourmand.",
            unit=G100,
            labels=(ORGANIC,),
        ),
        P(
            "BRUL-09",
            "Infusion du verger (pomme et cannelle)",
            "3.40",
            "Pommes séchées des Vergers de Lascombes, cannelle et écorce d'orange.",
            unit=G100,
            labels=(LOCAL,),
        ),
        P(
            "BRUL-10",
            "Chocolat chaud à l'ancienne (250 g)",
            "8.50",
            "Copeaux de chocolat noir à fondre dans le lait.",
            category="alimentation-chocolaterie-et-confiserie",
        ),
        P(
            "BRUL-11",
            "Cafetière à piston (1 litre)",
            "34.00",
            "Verre borosilicaté et inox, pour huit tasses.",
            vat=STANDARD,
            category="maison-art-de-la-table",
        ),
        P(
            "BRUL-12",
            "Moulin à café manuel",
            "59.00",
            "Meules coniques en céramique, mouture réglable.",
            vat=STANDARD,
            category="maison-art-de-la-table",
            stock=2,
            compare_at="69.00",
        ),
        P(
            "BRUL-13",
            "Coffret dégustation trois origines",
            "25.00",
            "Éthiopie, Brésil et Guatemala, 3 × 100 g avec notes de dégustation.",
            unit=LOT,
            labels=(HANDMADE,),
            stock=0,
        ),
    ),
)

# A shop that has asked to join Villeneuve; the organisers have not answered yet.
CORDONNERIE = Shop(
    key="cordonnerie",
    name="Cordonnerie du Centre",
    trade=Trade.SERVICES,
    owner=Person("cordonnerie@villeneuve.demo", "Paul G."),
    short_description="Ressemelage, réparation de sacs et de ceintures, produits d'entretien.",
    story=(
        "Paul a appris le métier chez un maître bottier de Toulouse. Il préfère réparer "
        "que remplacer : une bonne paire de chaussures se ressemelle trois ou quatre fois."
    ),
    street="27 rue Nationale",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=-90, north=380),
    phone="05 36 49 11 46",
    hours=week((TUE_TO_SAT, "9:00-12:00 14:00-18:30")),
    category="services-cordonnerie",
    vat=STANDARD,
    products=(
        P(
            "CORD-01",
            "Ressemelage cuir (la paire)",
            "45.00",
            "Semelles en cuir cousues Blake, prêtes en une semaine.",
            labels=(HANDMADE,),
        ),
        P(
            "CORD-02",
            "Crème de cirage (50 ml)",
            "7.50",
            "Nourrit et colore, en six teintes.",
            labels=(FRENCH_MADE,),
        ),
        P(
            "CORD-03",
            "Lacets cirés en coton (la paire)",
            "4.00",
            "Ronds ou plats, de 60 à 120 cm.",
        ),
        P(
            "CORD-04",
            "Embauchoirs en cèdre",
            "29.00",
            "Gardent la forme des chaussures et absorbent l'humidité.",
            stock=6,
        ),
    ),
)

# A shop still being set up: a draft, in no collective.
VELO = Shop(
    key="velo",
    name="L'Atelier du Rayon",
    trade=Trade.SERVICES,
    owner=Person("velo@villeneuve.demo", "Romain S."),
    short_description="Réparation et entretien de vélos, pièces et accessoires.",
    story="Ouverture prévue au printemps dans l'ancien garage de la rue des Tilleuls.",
    street="8 rue des Tilleuls",
    postcode=POSTCODE,
    city=TOWN,
    position=around(VILLENEUVE, east=420, north=200),
    phone="06 39 98 20 11",
    hours=week((TUE_TO_SAT, "9:00-12:30 14:00-18:30")),
    category="services-reparation",
    vat=STANDARD,
    publish=False,
    products=(
        P(
            "VELO-01",
            "Révision complète",
            "69.00",
            "Réglages, graissage, freins et transmission, sous 48 h.",
            draft=True,
        ),
        P(
            "VELO-02",
            "Chambre à air 700 × 28",
            "8.50",
            "Valve Presta, pour vélos de route et de ville.",
            category="culture-et-loisirs-sport",
            draft=True,
        ),
        P(
            "VELO-03",
            "Éclairage LED rechargeable",
            "29.00",
            "Avant et arrière, rechargeables par USB.",
            category="culture-et-loisirs-sport",
            draft=True,
        ),
    ),
)

# --- The producers of the Val de Brune ----------------------------------------------------

MARAICHER = Shop(
    key="maraicher",
    name="Ferme des Trois Chênes",
    trade=Trade.PRODUCER,
    owner=Person("maraichage@val-de-brune.demo", "Jeanne et Pierre A."),
    short_description="Maraîchage biologique sur cinq hectares : paniers, légumes et œufs.",
    story=(
        "Jeanne et Pierre ont repris la ferme familiale en 2016 et l'ont convertie à "
        "l'agriculture biologique. Ils cultivent une soixantaine de variétés, dont des "
        "tomates anciennes dont ils ressèment les graines chaque année, et élèvent deux "
        "cents poules en plein air."
    ),
    street="Lieu-dit Les Trois Chênes",
    postcode=POSTCODE,
    city="Saint-Aubin-de-Brune",
    position=around(VAL_DE_BRUNE, east=-1800, north=900),
    phone="06 39 98 20 24",
    hours=week(((FRI,), "16:00-19:00"), ((SAT,), "8:00-12:30")),
    category="alimentation-primeur",
    vat=FOOD,
    products=(
        P(
            "TCH-01",
            "Panier de légumes bio (5 kg)",
            "15.00",
            "La récolte de la semaine, avec une fiche recette.",
            unit=LOT,
            labels=(ORGANIC, LOCAL, SEASONAL),
            stock=20,
            photos=2,
        ),
        P(
            "TCH-02",
            "Tomates anciennes",
            "5.50",
            "Noire de Crimée, green zebra, ananas : un mélange de couleurs.",
            unit=KG,
            labels=(ORGANIC, LOCAL, SEASONAL),
        ),
        P(
            "TCH-03",
            "Courgettes bio",
            "2.90",
            "Cueillies petites, tendres et sans pépins.",
            unit=KG,
            labels=(ORGANIC, LOCAL, SEASONAL),
        ),
        P(
            "TCH-04",
            "Œufs de plein air (boîte de 6)",
            "3.20",
            "Pondus par nos poules qui picorent sous les chênes.",
            unit=LOT,
            labels=(ORGANIC, LOCAL),
            category="alimentation-epicerie",
        ),
        P(
            "TCH-05",
            "Mesclun (sachet de 150 g)",
            "2.80",
            "Jeunes pousses et fleurs comestibles, lavées.",
            labels=(ORGANIC, LOCAL),
        ),
        P(
            "TCH-06",
            "Potimarron",
            "2.60",
            "Le premier de la saison arrive en septembre.",
            unit=KG,
            labels=(ORGANIC, LOCAL, SEASONAL),
            stock=0,
        ),
    ),
)

APICULTEUR = Shop(
    key="apiculteur",
    name="Le Rucher de la Brune",
    trade=Trade.PRODUCER,
    owner=Person("rucher@val-de-brune.demo", "Olivier N."),
    short_description="Miels de la vallée, pain d'épices et bougies en cire d'abeille.",
    story=(
        "Olivier conduit cent vingt ruches qu'il déplace au fil des floraisons, des "
        "acacias du printemps aux châtaigniers de juillet. Il extrait son miel à froid "
        "et le met en pot sans le chauffer pour garder tous ses arômes."
    ),
    street="Chemin du Rucher",
    postcode=POSTCODE,
    city="Saint-Aubin-de-Brune",
    position=around(VAL_DE_BRUNE, east=1200, north=1500),
    phone="06 39 98 20 37",
    hours=week(((SAT,), "9:00-12:00")),
    category="alimentation-miel-et-confitures",
    vat=FOOD,
    products=(
        P(
            "RUCH-01",
            "Miel de châtaignier (500 g)",
            "9.50",
            "Corsé, légèrement amer, à la belle couleur ambrée.",
            labels=(LOCAL,),
            photos=2,
        ),
        P(
            "RUCH-02",
            "Miel toutes fleurs (1 kg)",
            "15.00",
            "Le miel du printemps, crémeux et doux.",
            labels=(LOCAL,),
        ),
        P(
            "RUCH-03",
            "Miel d'acacia (250 g)",
            "7.00",
            "Très clair, reste liquide, idéal pour sucrer le thé.",
            labels=(LOCAL,),
            stock=0,
        ),
        P(
            "RUCH-04",
            "Pain d'épices au miel",
            "7.50",
            "Seigle, miel de châtaignier et cinq épices, moelleux une semaine.",
            labels=(HANDMADE, LOCAL),
        ),
        P(
            "RUCH-05",
            "Confiture de figues (350 g)",
            "5.90",
            "Figues violettes du verger, cuites au chaudron.",
            labels=(HANDMADE, LOCAL, SEASONAL),
        ),
        P(
            "RUCH-06",
            "Bougie en cire d'abeille",
            "8.00",
            "Coulée à la main, elle sent le miel en brûlant.",
            labels=(HANDMADE, LOCAL),
            vat=STANDARD,
            category="maison-decoration",
        ),
    ),
)

CHEVRERIE = Shop(
    key="chevrerie",
    name="Chèvrerie du Moulin",
    trade=Trade.PRODUCER,
    owner=Person("chevrerie@val-de-brune.demo", "Sandrine V."),
    short_description="Fromages de chèvre fermiers au lait cru, du troupeau à la vente.",
    story=(
        "Sandrine élève soixante chèvres alpines qui pâturent autour du vieux moulin. "
        "Elle transforme le lait le jour même de la traite, moule ses fromages à la louche "
        "et les affine dans l'ancienne salle des meules."
    ),
    street="Le Moulin de Lasalle",
    postcode=POSTCODE,
    city="Saint-Aubin-de-Brune",
    position=around(VAL_DE_BRUNE, east=600, north=-1700),
    phone="06 39 98 20 48",
    hours=week(((WED, SAT), "17:00-19:00")),
    category="alimentation-fromagerie",
    vat=FOOD,
    products=(
        P(
            "CHEV-01",
            "Crottin frais",
            "2.20",
            "Deux jours d'affinage, doux et citronné.",
            labels=(LOCAL,),
            photos=2,
        ),
        P(
            "CHEV-02",
            "Crottin affiné",
            "2.50",
            "Trois semaines en cave, croûte bleutée et goût noisette.",
            labels=(LOCAL,),
        ),
        P(
            "CHEV-03",
            "Bûche cendrée",
            "5.80",
            "Cendrée au charbon végétal, cœur crayeux et crémeux.",
            labels=(LOCAL,),
        ),
        P(
            "CHEV-04",
            "Tomme de chèvre",
            "3.20",
            "Pâte pressée affinée trois mois.",
            unit=G100,
            labels=(LOCAL,),
        ),
        P(
            "CHEV-05",
            "Faisselle de chèvre",
            "3.00",
            "À manger nature, au miel ou aux herbes.",
            labels=(LOCAL,),
            stock=8,
        ),
        P(
            "CHEV-06",
            "Yaourts de chèvre nature (lot de 4)",
            "4.40",
            "Au lait entier, pots en verre consignés.",
            unit=LOT,
            labels=(LOCAL, ZERO_WASTE),
        ),
    ),
)

VERGERS = Shop(
    key="vergers",
    name="Vergers de Lascombes",
    trade=Trade.PRODUCER,
    owner=Person("vergers@val-de-brune.demo", "François L."),
    short_description="Pruneaux d'Agen, pommes, jus et confitures des vergers de Lascombes.",
    story=(
        "Chez les Lascombes, on sèche les prunes d'ente dans le four de la ferme depuis "
        "1890. François a replanté des variétés anciennes de pommes à côté des pruniers "
        "et presse lui-même le jus à l'automne."
    ),
    street="Domaine de Lascombes",
    postcode=POSTCODE,
    city="Saint-Aubin-de-Brune",
    position=around(VAL_DE_BRUNE, east=2200, north=-400),
    phone="06 39 98 20 59",
    hours=week(((WED, FRI), "14:00-18:00"), ((SAT,), "9:00-12:00")),
    category="alimentation-epicerie-fine",
    vat=FOOD,
    products=(
        P(
            "VERG-01",
            "Pruneaux d'Agen IGP (500 g)",
            "8.90",
            "Mi-cuits et moelleux, séchés à la ferme.",
            labels=(LOCAL,),
            photos=2,
        ),
        P(
            "VERG-02",
            "Pruneaux fourrés à la crème de pruneau (250 g)",
            "12.50",
            "La gourmandise d'Agen, dans une boîte en métal.",
            labels=(LOCAL, HANDMADE),
            compare_at="14.00",
            category="alimentation-chocolaterie-et-confiserie",
        ),
        P(
            "VERG-03",
            "Jus de pomme",
            "3.80",
            "Pressé à la ferme, non filtré, en bouteille consignée.",
            unit=LITRE,
            labels=(LOCAL, ZERO_WASTE),
            category="alimentation-cave-et-boissons",
        ),
        P(
            "VERG-04",
            "Pommes chanteclerc",
            "2.80",
            "Une variété ancienne, sucrée et croquante.",
            unit=KG,
            labels=(LOCAL, SEASONAL),
            category="alimentation-primeur",
        ),
        P(
            "VERG-05",
            "Confiture de prunes (350 g)",
            "5.50",
            "Prunes d'ente et sucre de canne, rien d'autre.",
            labels=(LOCAL, HANDMADE),
            category="alimentation-miel-et-confitures",
        ),
        P(
            "VERG-06",
            "Eau-de-vie de prune (50 cl)",
            "32.00",
            "Distillée par le bouilleur ambulant, vieillie deux ans.",
            labels=(LOCAL,),
            vat=STANDARD,
            category="alimentation-cave-et-boissons",
        ),
    ),
)

SHOPS: tuple[Shop, ...] = (
    BOULANGERIE,
    FROMAGERIE,
    PRIMEUR,
    BOUCHERIE,
    CAVISTE,
    LIBRAIRIE,
    FLEURISTE,
    CERAMISTE,
    CREATRICE,
    SAVONNERIE,
    EPICERIE,
    TORREFACTEUR,
    CORDONNERIE,
    VELO,
    MARAICHER,
    APICULTEUR,
    CHEVRERIE,
    VERGERS,
)

COLLECTIVES: tuple[CollectivePlan, ...] = (
    CollectivePlan(
        name="Les Commerçants de Villeneuve",
        town=TOWN,
        description=(
            "L'union des commerçants, artisans et créateurs du centre de Villeneuve-la-Halle. "
            "Autour de la halle du XIVe siècle et de ses rues à arcades, une trentaine de "
            "boutiques indépendantes font vivre le centre-ville : boulangers, fromagers, "
            "libraires, céramistes…\n\n"
            "Retrouvez ici leurs produits, réservez-les et passez les chercher en boutique. "
            "Marché nocturne le premier vendredi de chaque mois de juin à septembre."
        ),
        charter=(
            "En rejoignant Les Commerçants de Villeneuve, chaque boutique s'engage à :\n"
            "1. être une entreprise indépendante installée à Villeneuve-la-Halle ;\n"
            "2. afficher des prix justes et à jour, TVA comprise ;\n"
            "3. privilégier les produits fabriqués ou cultivés dans la région ;\n"
            "4. préparer les réservations dans les délais annoncés ;\n"
            "5. participer au moins à deux animations collectives par an."
        ),
        centre=VILLENEUVE,
        zoom=16,
        admin=ORGANISER,
        organisers=(CO_ORGANISER,),
        members=(
            ("boulangerie", BY_INVITATION),
            ("fromagerie", BY_REQUEST),
            ("primeur", BY_INVITATION),
            ("boucherie", BY_INVITATION),
            ("caviste", BY_INVITATION),
            ("librairie", BY_REQUEST),
            ("fleuriste", BY_INVITATION),
            ("ceramiste", BY_INVITATION),
            ("creatrice", BY_INVITATION),
            ("savonnerie", BY_INVITATION),
            ("epicerie", BY_INVITATION),
            ("torrefacteur", BY_INVITATION),
            ("cordonnerie", PENDING_REQUEST),
        ),
        invitation=(
            "Bonjour, nous serions ravis de compter votre boutique parmi les Commerçants de "
            "Villeneuve. La charte est jointe ; à très vite à la halle !"
        ),
    ),
    CollectivePlan(
        name="Marché des producteurs du Val de Brune",
        town="Saint-Aubin-de-Brune",
        description=(
            "Les fermes du Val de Brune vendent en direct : légumes, fromages de chèvre, "
            "miel, pruneaux et jus. Le marché se tient chaque samedi matin sous les platanes "
            "de Saint-Aubin-de-Brune, et les commandes se retirent à la ferme."
        ),
        charter=(
            "Chaque membre vend ce qu'il produit lui-même, dans un rayon de 30 km autour "
            "de Saint-Aubin-de-Brune, et indique clairement l'origine de tout produit revendu."
        ),
        centre=VAL_DE_BRUNE,
        zoom=13,
        admin=MARKET_ORGANISER,
        organisers=(),
        members=(
            ("maraicher", BY_INVITATION),
            ("apiculteur", BY_INVITATION),
            ("chevrerie", BY_INVITATION),
            ("vergers", BY_INVITATION),
            # The town greengrocer sells the valley's produce and asked to join the market.
            ("primeur", BY_REQUEST),
        ),
        invitation=(
            "Bonjour, le marché du samedi a une place pour vous sous les platanes. "
            "Rejoignez-nous sur Halle pour vendre aussi en ligne !"
        ),
    ),
)

# The background, the drawing colour and the motif of a product's illustration, by category.
DEFAULT_LOOK = ("#efe9df", "#8c7b64", "circle")
CATEGORY_LOOKS: dict[str, tuple[str, str, str]] = {
    "alimentation-boulangerie": ("#f6e7cf", "#b7793a", "loaf"),
    "alimentation-patisserie": ("#f9e3e1", "#c8745f", "tart"),
    "alimentation-fromagerie": ("#fbf3d5", "#d9a93f", "wheel"),
    "alimentation-boucherie": ("#f7dfdc", "#a8433a", "slab"),
    "alimentation-charcuterie": ("#f5e1d8", "#9c4f3c", "slab"),
    "alimentation-primeur": ("#e4f1dc", "#5f9a3c", "fruit"),
    "alimentation-epicerie": ("#efe8d6", "#a38452", "jar"),
    "alimentation-epicerie-fine": ("#ece0ea", "#6f3d62", "jar"),
    "alimentation-cave-et-boissons": ("#eadbe0", "#7a2740", "bottle"),
    "alimentation-chocolaterie-et-confiserie": ("#eee0d6", "#5c3a26", "bar"),
    "alimentation-miel-et-confitures": ("#fcefcf", "#d99a1c", "jar"),
    "alimentation-the-et-cafe": ("#eae2d7", "#6b4a32", "sack"),
    "mode-bijoux": ("#ece6f2", "#6d5a8f", "ring"),
    "mode-accessoires": ("#e8eef5", "#4f6f93", "scarf"),
    "mode-maroquinerie": ("#efe3d6", "#8a5a35", "bar"),
    "mode-vetements-femme": ("#f1e6ec", "#94566f", "shirt"),
    "maison-ceramique": ("#e3ecef", "#3f6f85", "bowl"),
    "maison-art-de-la-table": ("#e7eef0", "#4d7283", "bowl"),
    "maison-luminaires": ("#f6efd9", "#b38c2e", "bowl"),
    "maison-decoration": ("#f1ebe4", "#8d6b58", "vase"),
    "maison-fleurs": ("#f6e3ea", "#c0507a", "flower"),
    "maison-jardin-et-plantes": ("#e3efe3", "#4f8a55", "flower"),
    "beaute-et-bien-etre-savons": ("#eee8f4", "#7c68a6", "bar"),
    "beaute-et-bien-etre-cosmetiques": ("#e9eef2", "#5b7c96", "jar"),
    "beaute-et-bien-etre-soins": ("#f3ecef", "#a06a86", "jar"),
    "culture-et-loisirs-livres": ("#e9edf3", "#33507a", "book"),
    "culture-et-loisirs-papeterie": ("#eef0e6", "#6a7a3a", "book"),
    "culture-et-loisirs-sport": ("#e4eef0", "#2f7482", "cycle"),
    "services-cordonnerie": ("#ece4dc", "#6b4a32", "boot"),
    "services-reparation": ("#e4eef0", "#2f7482", "cycle"),
    "services-ateliers-et-cours": ("#e6ecf0", "#3f6f85", "bowl"),
}


def category_look(slug: str) -> tuple[str, str, str]:
    """(background, ink, motif) of the illustrations of the category ``slug``."""
    return CATEGORY_LOOKS.get(slug, DEFAULT_LOOK)


STORIES: tuple[StoryPlan, ...] = (
    StoryPlan(
        shop="boulangerie",
        title="Une nuit au fournil",
        body=(
            "À 3 h, le four à bois est déjà chaud : Julien l'a chargé de sarments la veille au "
            "soir.\n\n"
            "## Le levain d'abord\n\n"
            "Il est nourri deux fois par jour, avec la farine du **moulin de Brune**. Sans lui, "
            "pas de pain de campagne qui tienne la semaine.\n\n"
            "- 22 h : pétrissage lent\n"
            "- minuit : façonnage à la main\n"
            "- 4 h : première fournée\n\n"
            "Quand la halle ouvre, les baguettes ont eu le temps de *chanter* en refroidissant."
        ),
        products=("FOUR-01", "FOUR-02"),
    ),
    StoryPlan(
        shop="fromagerie",
        title="Dix-huit mois de cave",
        body=(
            "Nos comtés arrivent jeunes du Jura et finissent leur affinage dans la cave voûtée "
            "sous la boutique, à 12 °C.\n\n"
            "Chaque semaine, Margaux les retourne et les frotte à la morge. C'est ce travail "
            "patient qui donne au **Comté 18 mois** ses notes de noisette et ses petits "
            "cristaux."
        ),
        products=("FROM-01",),
    ),
    StoryPlan(
        shop="ceramiste",
        title="Du tour à l'émail",
        body=(
            "Chaque bol commence par une motte de grès de la vallée, centrée sur le tour.\n\n"
            "Après une semaine de séchage vient la première cuisson, puis l'émail que Camille "
            "compose à partir de cendres de bois. La seconde cuisson monte à 1 280 °C pendant "
            "une journée entière : aucune pièce ne sort tout à fait pareille."
        ),
        products=("TERR-01",),
        # The fictional town runs its own PeerTube: the link is as fictional as the town.
        video_url="https://tube.villeneuve-la-halle.fr/w/9x3Fk2LmQp2aB7cD1eF4gH",
    ),
)
