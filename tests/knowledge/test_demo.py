"""The demo region's knowledge files: what `lotse up --seed` sends is what the API accepts."""

from services.knowledge.publiccode import check_license
from services.knowledge.schemas import ArticleCreate, ContactCreate, SolutionCreate
from shared.cli.seed import DEMO_DIR, load_demo

SOLUTIONS = load_demo(DEMO_DIR, "solutions")
MUNICIPALITIES = {m["ags"] for m in load_demo(DEMO_DIR, "municipalities")}


def test_twenty_or_more_solutions_each_a_valid_entry_with_an_spdx_license() -> None:
    names = [s["name"] for s in SOLUTIONS]
    assert len(names) >= 20 and len(set(names)) == len(names)
    for solution in SOLUTIONS:
        SolutionCreate.model_validate(solution)
        assert check_license(solution["license"]) == (solution["license"], None), solution


def test_adoptions_articles_and_contacts_name_what_exists() -> None:
    names = {s["name"] for s in SOLUTIONS}
    adoptions = load_demo(DEMO_DIR, "adoptions")
    assert len(adoptions) >= 15
    for adoption in adoptions:
        assert adoption["solution"] in names and adoption["municipality_ags"] in MUNICIPALITIES
    for article in load_demo(DEMO_DIR, "articles"):
        assert set(article["solutions"]) <= names
        ArticleCreate.model_validate({k: v for k, v in article.items() if k != "solutions"})
    for contact in load_demo(DEMO_DIR, "contacts"):
        ContactCreate.model_validate(contact)
        assert contact["municipality_ags"] in MUNICIPALITIES
        assert contact["email"].endswith("@example.org")  # fictional people only
