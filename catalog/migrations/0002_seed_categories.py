"""The shared taxonomy every collective filters by: two levels, French names first."""

from django.db import migrations
from django.utils.text import slugify

# (French name, English name, [(French child, English child), …])
TAXONOMY = [
    (
        "Alimentation",
        "Food",
        [
            ("Boulangerie", "Bakery"),
            ("Pâtisserie", "Pastry"),
            ("Fromagerie", "Cheese"),
            ("Boucherie", "Butchery"),
            ("Charcuterie", "Charcuterie"),
            ("Poissonnerie", "Fish and seafood"),
            ("Primeur", "Fruit and vegetables"),
            ("Épicerie", "Groceries"),
            ("Épicerie fine", "Delicatessen"),
            ("Cave et boissons", "Wine and drinks"),
            ("Chocolaterie et confiserie", "Chocolate and sweets"),
            ("Miel et confitures", "Honey and jams"),
            ("Thé et café", "Tea and coffee"),
        ],
    ),
    (
        "Mode",
        "Fashion",
        [
            ("Vêtements femme", "Women's clothing"),
            ("Vêtements homme", "Men's clothing"),
            ("Enfants", "Children"),
            ("Chaussures", "Shoes"),
            ("Maroquinerie", "Leather goods"),
            ("Bijoux", "Jewellery"),
            ("Accessoires", "Accessories"),
        ],
    ),
    (
        "Maison",
        "Home",
        [
            ("Décoration", "Decoration"),
            ("Art de la table", "Tableware"),
            ("Linge de maison", "Home linen"),
            ("Céramique", "Ceramics"),
            ("Mobilier", "Furniture"),
            ("Luminaires", "Lighting"),
            ("Jardin et plantes", "Garden and plants"),
            ("Fleurs", "Flowers"),
            ("Bricolage", "DIY"),
        ],
    ),
    (
        "Beauté et bien-être",
        "Beauty and well-being",
        [
            ("Cosmétiques", "Cosmetics"),
            ("Savons", "Soaps"),
            ("Parfums", "Fragrances"),
            ("Soins", "Care"),
        ],
    ),
    (
        "Culture et loisirs",
        "Culture and leisure",
        [
            ("Livres", "Books"),
            ("Papeterie", "Stationery"),
            ("Musique", "Music"),
            ("Jeux et jouets", "Games and toys"),
            ("Art et artisanat", "Art and crafts"),
            ("Sport", "Sport"),
        ],
    ),
    (
        "Services",
        "Services",
        [
            ("Réparation", "Repairs"),
            ("Retouches et couture", "Alterations and sewing"),
            ("Cordonnerie", "Shoe repair"),
            ("Ateliers et cours", "Workshops and classes"),
            ("Bons cadeaux", "Gift vouchers"),
        ],
    ),
]


def seed(apps, schema_editor):
    Category = apps.get_model("catalog", "Category")
    for top_position, (name, name_en, children) in enumerate(TAXONOMY):
        parent, _ = Category.objects.update_or_create(
            slug=slugify(name),
            defaults={"name": name, "name_en": name_en, "position": top_position, "parent": None},
        )
        for position, (child, child_en) in enumerate(children):
            Category.objects.update_or_create(
                slug=f"{parent.slug}-{slugify(child)}",
                defaults={
                    "name": child,
                    "name_en": child_en,
                    "position": position,
                    "parent": parent,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
