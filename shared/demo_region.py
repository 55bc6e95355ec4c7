"""Demo region: Landkreis Marburg-Biedenkopf, its towns and their digitalisation projects."""

MUNICIPALITIES: list[dict[str, object]] = [
    {
        "ags": "06534000",
        "name": "Landkreis Marburg-Biedenkopf",
        "kind": "landkreis",
        "population": 247000,
    },
    {"ags": "06534001", "name": "Amöneburg", "kind": "stadt", "population": 5100},
    {"ags": "06534002", "name": "Angelburg", "kind": "gemeinde", "population": 3300},
    {"ags": "06534003", "name": "Bad Endbach", "kind": "gemeinde", "population": 8100},
    {"ags": "06534004", "name": "Biedenkopf", "kind": "stadt", "population": 13500},
    {"ags": "06534005", "name": "Breidenbach", "kind": "gemeinde", "population": 6700},
    {"ags": "06534006", "name": "Cölbe", "kind": "gemeinde", "population": 6900},
    {"ags": "06534007", "name": "Dautphetal", "kind": "gemeinde", "population": 11500},
    {"ags": "06534008", "name": "Ebsdorfergrund", "kind": "gemeinde", "population": 8900},
    {"ags": "06534009", "name": "Fronhausen", "kind": "gemeinde", "population": 4200},
    {"ags": "06534010", "name": "Gladenbach", "kind": "stadt", "population": 12300},
    {"ags": "06534011", "name": "Kirchhain", "kind": "stadt", "population": 16500},
    {"ags": "06534012", "name": "Lahntal", "kind": "gemeinde", "population": 7100},
    {"ags": "06534013", "name": "Lohra", "kind": "gemeinde", "population": 5400},
    {"ags": "06534014", "name": "Universitätsstadt Marburg", "kind": "stadt", "population": 77000},
    {"ags": "06534015", "name": "Münchhausen", "kind": "gemeinde", "population": 3400},
    {"ags": "06534016", "name": "Neustadt (Hessen)", "kind": "stadt", "population": 9500},
    {"ags": "06534017", "name": "Rauschenberg", "kind": "stadt", "population": 4400},
    {"ags": "06534018", "name": "Stadtallendorf", "kind": "stadt", "population": 21500},
    {"ags": "06534019", "name": "Steffenberg", "kind": "gemeinde", "population": 4000},
    {"ags": "06534020", "name": "Weimar (Lahn)", "kind": "gemeinde", "population": 7200},
    {"ags": "06534021", "name": "Wetter (Hessen)", "kind": "stadt", "population": 9100},
    {"ags": "06534022", "name": "Wohratal", "kind": "gemeinde", "population": 2400},
]

PROJECTS: list[dict[str, object]] = [
    {
        "municipality_ags": "06534000",
        "title": "Bürgerportal des Landkreises: OZG-Leistungen vollständig online",
        "summary": (
            "Der Landkreis bündelt seine Verwaltungsleistungen nach dem Onlinezugangsgesetz in "
            "einem Bürgerportal mit Anbindung an das Nutzerkonto BundID. Vorrang haben Leistungen "
            "mit hohen Fallzahlen wie Kfz-Zulassung, Führerscheinangelegenheiten und Wohngeld."
        ),
        "description": (
            "Bisher sind viele Leistungen der Kreisverwaltung nur als PDF-Formular verfügbar, das "
            "ausgedruckt und per Post eingereicht werden muss. Im Projekt werden die Leistungen "
            "nach Fallzahlen priorisiert und schrittweise als medienbruchfreie Online-Dienste "
            "bereitgestellt, vorzugsweise über nachnutzbare EfA-Lösungen (Einer für Alle). Die "
            "Anträge landen strukturiert im jeweiligen Fachverfahren, Bescheide werden in das "
            "Postfach des Nutzerkontos zugestellt. Begleitend werden die Sachbearbeitenden in den "
            "Fachdiensten geschult und die Abläufe im Backoffice angepasst."
        ),
        "topics": ["administration", "citizen_services"],
        "status": "in_progress",
        "target_groups": ["Bürgerinnen und Bürger", "Unternehmen", "Verwaltungsmitarbeitende"],
        "value_proposition": (
            "Die wichtigsten Anliegen bei der Kreisverwaltung lassen sich rund um die Uhr online "
            "und ohne Behördengang erledigen."
        ),
        "indicators": [
            {
                "name": "Online verfügbare OZG-Leistungen",
                "unit": "Anzahl",
                "target": 120.0,
                "current": 74.0,
            },
            {
                "name": "Anteil Online-Anträge an allen Anträgen",
                "unit": "%",
                "target": 50.0,
                "current": 28.0,
            },
        ],
        "budget_eur": 1450000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 600000.0},
            {"name": "Eigenmittel", "amount_eur": 850000.0},
        ],
        "start_date": "2022-03-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Team Digitalisierung der Kreisverwaltung",
            "role": "Projektleitung OZG-Umsetzung",
            "email": "ozg@marburg-biedenkopf.example",
        },
        "links": [
            {
                "title": "Bürgerportal (Demo)",
                "url": "https://buergerportal.marburg-biedenkopf.example",
            },
        ],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["OZG", "Bürgerportal", "BundID", "EfA"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Gigabitausbau in unterversorgten Ortsteilen",
        "summary": (
            "Der Landkreis koordiniert den geförderten Glasfaserausbau in Ortsteilen, in denen "
            "kein eigenwirtschaftlicher Ausbau angekündigt ist. Ziel sind FTTH-Anschlüsse für "
            "Haushalte, Schulen und Gewerbebetriebe im ländlichen Raum."
        ),
        "description": (
            "Grundlage ist eine kreisweite Markterkundung, aus der die förderfähigen Adressen "
            "ermittelt wurden. Der Ausbau erfolgt im Wirtschaftlichkeitslückenmodell durch ein im "
            "Vergabeverfahren ausgewähltes Telekommunikationsunternehmen. Die beteiligten Kommunen "
            "unterstützen bei Trassenplanung, Wegerechten und der Information der Eigentümerinnen "
            "und Eigentümer. Der Baufortschritt wird quartalsweise im Breitbandatlas des Kreises "
            "veröffentlicht."
        ),
        "topics": ["broadband", "economy"],
        "status": "in_progress",
        "target_groups": [
            "Private Haushalte",
            "Unternehmen",
            "Schulen",
            "Landwirtschaftliche Betriebe",
        ],
        "value_proposition": (
            "Auch abgelegene Ortsteile erhalten einen zukunftssicheren Glasfaseranschluss mit "
            "mindestens 1 Gbit/s."
        ),
        "indicators": [
            {
                "name": "Angeschlossene förderfähige Adressen",
                "unit": "Anzahl",
                "target": 4800.0,
                "current": 2150.0,
            },
            {
                "name": "Ausgebaute Trassenkilometer",
                "unit": "km",
                "target": 310.0,
                "current": 142.0,
            },
        ],
        "budget_eur": 38500000.0,
        "funding_sources": [
            {"name": "Gigabitförderung des Bundes", "amount_eur": 19250000.0},
            {"name": "Kofinanzierung Land Hessen", "amount_eur": 11550000.0},
            {"name": "Eigenmittel (Landkreis und Kommunen)", "amount_eur": 7700000.0},
        ],
        "start_date": "2023-06-01",
        "end_date": "2027-12-31",
        "partner_municipalities": [
            "06534002",
            "06534019",
            "06534015",
            "06534022",
            "06534017",
            "06534008",
            "06534013",
        ],
        "contact": {
            "name": "Breitbandkoordination des Landkreises",
            "role": "Breitbandkoordinator",
            "email": "breitband@marburg-biedenkopf.example",
        },
        "links": [
            {
                "title": "Breitbandatlas",
                "url": "https://breitband.marburg-biedenkopf.example/atlas",
            },
        ],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Glasfaser", "FTTH", "Gigabitförderung", "Ländlicher Raum"],
    },
    {
        "municipality_ags": "06534000",
        "title": (
            "Informationssicherheitsmanagement nach BSI-IT-Grundschutz in der Kreisverwaltung"
        ),
        "summary": (
            "Aufbau eines ISMS nach BSI-Standard 200-2, um die Kreisverwaltung schrittweise nach "
            "IT-Grundschutz abzusichern. Begonnen wird mit den kritischsten Geschäftsprozessen."
        ),
        "description": (
            "Ausgangspunkt ist eine Strukturanalyse und Schutzbedarfsfeststellung für alle "
            "Fachverfahren und IT-Systeme. Ein Informationssicherheitsbeauftragter wurde benannt "
            "und berichtet direkt an die Verwaltungsspitze. Notfallhandbuch, Berechtigungskonzept "
            "und ein verbindliches Schulungsprogramm für alle Beschäftigten sind Teil des "
            "Projekts. Vorlagen und Erfahrungen werden den kreisangehörigen Kommunen über das "
            "regionale Netzwerk zur Verfügung gestellt."
        ),
        "topics": ["it_security", "internal_it"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende", "IT-Verantwortliche der Kommunen"],
        "value_proposition": (
            "Die Kreisverwaltung ist besser gegen Cyberangriffe gewappnet und kann im Ernstfall "
            "ihre kritischen Dienste schnell wiederherstellen."
        ),
        "indicators": [
            {
                "name": "Umgesetzte Grundschutz-Bausteine",
                "unit": "%",
                "target": 100.0,
                "current": 55.0,
            },
            {"name": "Geschulte Beschäftigte", "unit": "%", "target": 95.0, "current": 68.0},
        ],
        "budget_eur": 420000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 420000.0}],
        "start_date": "2023-01-15",
        "end_date": "2026-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Informationssicherheit der Kreisverwaltung",
            "role": "Informationssicherheitsbeauftragter",
            "email": "isb@marburg-biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["ISMS", "BSI-Grundschutz", "Informationssicherheit", "Notfallmanagement"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Modernisierung der Sirenenwarnung und Anbindung an MoWaS",
        "summary": (
            "Veraltete Motorsirenen wurden durch digital ansteuerbare elektronische Sirenen "
            "ersetzt und an das Modulare Warnsystem des Bundes angebunden. Ergänzend wird die "
            "Bevölkerung über Warn-Apps und Cell Broadcast informiert."
        ),
        "description": (
            "Eine kreisweite Bestandsaufnahme zeigte, dass viele Ortsteile nicht mehr "
            "flächendeckend beschallt werden konnten. Auf Basis einer Schallausbreitungsberechnung "
            "wurden neue Standorte festgelegt und elektronische Sirenen mit Notstromversorgung "
            "errichtet. Die Auslösung erfolgt zentral über die Leitstelle und ist mit dem "
            "Modularen Warnsystem gekoppelt. Beim Probealarm wurden alle Anlagen erfolgreich "
            "getestet."
        ),
        "topics": ["civil_protection"],
        "status": "completed",
        "target_groups": ["Bürgerinnen und Bürger", "Feuerwehren", "Katastrophenschutz"],
        "value_proposition": (
            "Im Gefahrenfall wird die Bevölkerung in allen Ortsteilen zuverlässig und zeitgleich "
            "gewarnt."
        ),
        "indicators": [
            {
                "name": "Betriebsbereite digitale Sirenen",
                "unit": "Anzahl",
                "target": 185.0,
                "current": 185.0,
            },
            {"name": "Beschallte Wohnbevölkerung", "unit": "%", "target": 95.0, "current": 96.0},
        ],
        "budget_eur": 3200000.0,
        "funding_sources": [
            {"name": "Sirenenförderprogramm des Bundes", "amount_eur": 1100000.0},
            {"name": "Landesförderung Katastrophenschutz Hessen", "amount_eur": 900000.0},
            {"name": "Eigenmittel", "amount_eur": 1200000.0},
        ],
        "start_date": "2021-09-01",
        "end_date": "2024-09-30",
        "partner_municipalities": [
            "06534004",
            "06534010",
            "06534011",
            "06534018",
            "06534016",
            "06534021",
        ],
        "contact": {
            "name": "Fachdienst Brandschutz und Katastrophenschutz",
            "role": "Sachgebietsleitung Bevölkerungsschutz",
            "email": "bevoelkerungsschutz@marburg-biedenkopf.example",
        },
        "links": [
            {
                "title": "Sirenensignale erklärt",
                "url": "https://www.marburg-biedenkopf.example/warnung",
            },
        ],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Sirenen", "MoWaS", "Warn-App", "Bevölkerungsschutz"],
    },
    {
        "municipality_ags": "06534000",
        "title": "On-Demand-Rufbus im Hinterland",
        "summary": (
            "Ein per App und Telefon buchbarer Rufbus soll in den Hinterland-Kommunen die Lücken "
            "des Linienverkehrs schließen. Fahrten werden digital gebündelt und zum ÖPNV-Tarif "
            "angeboten."
        ),
        "description": (
            "Im Hinterland verkehren viele Buslinien vor allem im Schülerverkehr, abends und am "
            "Wochenende gibt es kaum Angebote. Geplant ist ein flexibles Bediengebiet mit "
            "virtuellen Haltepunkten, in dem Fahrgäste Fahrten bis kurz vor Abfahrt buchen können. "
            "Die Buchungsplattform wird an die Fahrplanauskunft des Verkehrsverbunds angebunden, "
            "damit Anschlüsse an Bahn und Regionalbus gesichert sind. Vorgesehen ist ein "
            "zweijähriger Probebetrieb mit begleitender Evaluation."
        ),
        "topics": ["mobility"],
        "status": "planned",
        "target_groups": ["Bürgerinnen und Bürger", "Ältere Menschen", "Jugendliche", "Pendelnde"],
        "value_proposition": (
            "Menschen ohne eigenes Auto kommen auch abends und am Wochenende zuverlässig zum Arzt, "
            "zum Einkauf oder zum Bahnhof."
        ),
        "indicators": [
            {
                "name": "Beförderte Fahrgäste pro Monat",
                "unit": "Fahrgäste",
                "target": 3000.0,
                "current": 0.0,
            },
            {"name": "Durchschnittliche Wartezeit", "unit": "min", "target": 20.0, "current": 0.0},
        ],
        "budget_eur": 1900000.0,
        "funding_sources": [
            {"name": "Landesförderung ÖPNV-Innovation", "amount_eur": 950000.0},
            {"name": "Eigenmittel", "amount_eur": 950000.0},
        ],
        "start_date": "2025-10-01",
        "end_date": "2027-09-30",
        "partner_municipalities": ["06534004", "06534007", "06534005", "06534019", "06534002"],
        "contact": {
            "name": "Nahverkehrsplanung des Landkreises",
            "role": "Mobilitätsmanagerin",
            "email": "mobilitaet@marburg-biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["On-Demand", "Rufbus", "ÖPNV", "Hinterland"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Gemeindeschwester 2.0 mit telemedizinischer Unterstützung",
        "summary": (
            "Speziell qualifizierte Pflegefachkräfte besuchen ältere Menschen zu Hause und können "
            "bei Bedarf per Videosprechstunde eine Hausarztpraxis hinzuziehen. Das Angebot "
            "entlastet Praxen im ländlichen Raum."
        ),
        "description": (
            "Die Fachkräfte führen präventive Hausbesuche durch, beraten zu Pflege- und "
            "Unterstützungsangeboten und erheben mit mobilen Messgeräten Vitalwerte. Über eine "
            "datenschutzkonforme Telemedizin-Plattform werden die Werte an die behandelnde Praxis "
            "übermittelt und bei Bedarf eine Videosprechstunde aufgebaut. Das Vorgehen ist mit den "
            "hausärztlichen Praxen und den Pflegestützpunkten abgestimmt. Eine wissenschaftliche "
            "Begleitung untersucht Wirkung und Übertragbarkeit auf weitere Kommunen."
        ),
        "topics": ["health_care"],
        "status": "in_progress",
        "target_groups": ["Ältere Menschen", "Pflegende Angehörige", "Hausarztpraxen"],
        "value_proposition": (
            "Ältere Menschen können länger selbstbestimmt zu Hause leben und erhalten schneller "
            "eine ärztliche Einschätzung."
        ),
        "indicators": [
            {"name": "Begleitete Personen", "unit": "Personen", "target": 400.0, "current": 230.0},
            {
                "name": "Telemedizinische Konsultationen",
                "unit": "Anzahl pro Jahr",
                "target": 600.0,
                "current": 310.0,
            },
        ],
        "budget_eur": 780000.0,
        "funding_sources": [
            {"name": "Landesförderung Gesundheit im ländlichen Raum", "amount_eur": 468000.0},
            {"name": "Eigenmittel", "amount_eur": 312000.0},
        ],
        "start_date": "2024-01-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Fachbereich Gesundheit des Landkreises",
            "role": "Projektkoordination Gemeindeschwester",
            "email": "gesundheit@marburg-biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Telemedizin", "Gemeindeschwester", "Pflege", "Prävention"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Flächendeckendes WLAN und digitale Präsentationstechnik an Kreisschulen",
        "summary": (
            "Alle Schulen in Trägerschaft des Landkreises wurden mit strukturierter Verkabelung, "
            "zentral verwaltetem WLAN und digitalen Präsentationsflächen ausgestattet. Finanziert "
            "wurde dies überwiegend aus dem DigitalPakt Schule."
        ),
        "description": (
            "Grundlage war der Medienentwicklungsplan des Schulträgers, der mit den Schulen "
            "abgestimmt wurde. In allen Unterrichtsräumen wurden Access Points mit zentralem "
            "Management installiert und die Schulgebäude an das Glasfasernetz angebunden. "
            "Zusätzlich erhielten die Klassenräume interaktive Displays oder Beamer mit "
            "Dokumentenkamera. Den Support leistet seither ein zentrales Schul-IT-Team des Kreises."
        ),
        "topics": ["education"],
        "status": "completed",
        "target_groups": ["Schulen", "Schülerinnen und Schüler", "Lehrkräfte"],
        "value_proposition": (
            "Jede Klasse kann im Unterricht verlässlich mit digitalen Medien arbeiten."
        ),
        "indicators": [
            {
                "name": "Schulen mit flächendeckendem WLAN",
                "unit": "Anzahl",
                "target": 58.0,
                "current": 58.0,
            },
            {
                "name": "Ausgestattete Unterrichtsräume",
                "unit": "Anzahl",
                "target": 1450.0,
                "current": 1450.0,
            },
        ],
        "budget_eur": 14600000.0,
        "funding_sources": [
            {"name": "DigitalPakt Schule", "amount_eur": 10950000.0},
            {"name": "Eigenmittel", "amount_eur": 3650000.0},
        ],
        "start_date": "2020-01-01",
        "end_date": "2024-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Schul-IT des Landkreises",
            "role": "Leitung Schul-IT",
            "email": "schul-it@marburg-biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["DigitalPakt", "Schul-WLAN", "Medienentwicklungsplan"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Regionale Open-Data- und Geodateninfrastruktur für alle Kreiskommunen",
        "summary": (
            "Der Landkreis stellt den Kommunen eine gemeinsame Plattform bereit, über die sie "
            "Geodaten und offene Verwaltungsdaten veröffentlichen und austauschen können."
        ),
        "description": (
            "Viele kleine Kommunen verfügen weder über ein eigenes Geoinformationssystem noch über "
            "Personal, um Daten offen bereitzustellen. Die regionale Plattform bietet einen "
            "gemeinsamen Datenkatalog, Kartendienste nach INSPIRE-Standards und einfache Werkzeuge "
            "zur Veröffentlichung von Tabellen. Typische Datensätze sind Bebauungspläne, "
            "Friedhöfe, Spielplätze, Ladesäulen und Sitzungstermine. Die Plattform ist mit der "
            "urbanen Datenplattform der Universitätsstadt Marburg verknüpft, damit Daten nur "
            "einmal gepflegt werden müssen."
        ),
        "topics": ["data_platforms", "administration"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende", "Unternehmen", "Bürgerinnen und Bürger"],
        "value_proposition": (
            "Alle Kommunen im Kreis können ihre Daten ohne eigene Infrastruktur offen und "
            "standardkonform bereitstellen."
        ),
        "indicators": [
            {"name": "Teilnehmende Kommunen", "unit": "Anzahl", "target": 22.0, "current": 9.0},
            {
                "name": "Veröffentlichte Datensätze",
                "unit": "Anzahl",
                "target": 300.0,
                "current": 118.0,
            },
        ],
        "budget_eur": 650000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 325000.0},
            {"name": "Eigenmittel", "amount_eur": 325000.0},
        ],
        "start_date": "2024-01-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [
            "06534014",
            "06534006",
            "06534012",
            "06534011",
            "06534008",
            "06534021",
        ],
        "contact": {
            "name": "Fachdienst Geoinformation des Landkreises",
            "role": "Koordination Geodateninfrastruktur",
            "email": "geodaten@marburg-biedenkopf.example",
        },
        "links": [
            {"title": "Geoportal (Demo)", "url": "https://geoportal.marburg-biedenkopf.example"},
        ],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["Open Data", "Geodaten", "INSPIRE", "Interkommunal"],
    },
    {
        "municipality_ags": "06534000",
        "title": "Digitale Bauantragstellung bei der Unteren Bauaufsicht",
        "summary": (
            "Bauanträge, Bauvoranfragen und Nachreichungen können künftig vollständig digital "
            "eingereicht werden. Die beteiligten Fachstellen und Gemeinden erhalten die Unterlagen "
            "über eine gemeinsame Beteiligungsplattform."
        ),
        "description": (
            "Bisher müssen Bauanträge in mehrfacher Ausfertigung auf Papier eingereicht und an die "
            "zu beteiligenden Stellen verschickt werden. Mit der Einführung des digitalen "
            "Bauantrags über eine EfA-Lösung reichen Entwurfsverfasserinnen und Entwurfsverfasser "
            "die Unterlagen als strukturierte Daten und PDF ein. Gemeinden und Fachbehörden geben "
            "ihre Stellungnahmen parallel online ab. Die Bauaufsicht arbeitet intern mit einer "
            "elektronischen Bauakte."
        ),
        "topics": ["administration", "citizen_services"],
        "status": "in_progress",
        "target_groups": [
            "Bauherrinnen und Bauherren",
            "Architektur- und Ingenieurbüros",
            "Verwaltungsmitarbeitende",
        ],
        "value_proposition": (
            "Bauvorhaben werden schneller genehmigt, weil Unterlagen nicht mehr per Post zwischen "
            "den Beteiligten verschickt werden."
        ),
        "indicators": [
            {
                "name": "Anteil digital eingereichter Bauanträge",
                "unit": "%",
                "target": 80.0,
                "current": 35.0,
            },
            {
                "name": "Durchschnittliche Bearbeitungsdauer",
                "unit": "Tage",
                "target": 60.0,
                "current": 84.0,
            },
        ],
        "budget_eur": 520000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 200000.0},
            {"name": "Eigenmittel", "amount_eur": 320000.0},
        ],
        "start_date": "2024-06-01",
        "end_date": "2026-05-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Bauaufsicht des Landkreises",
            "role": "Projektleitung Digitaler Bauantrag",
            "email": "bauantrag@marburg-biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Bauantrag", "OZG", "EfA", "E-Akte"],
    },
    {
        "municipality_ags": "06534014",
        "title": "Urbane Datenplattform für Marburg",
        "summary": (
            "Eine offene urbane Datenplattform führt Sensordaten, Geodaten und Verwaltungsdaten "
            "zusammen und stellt sie als Open Data und in Dashboards bereit."
        ),
        "description": (
            "Die Plattform basiert auf Open-Source-Komponenten und offenen Standards wie der OGC "
            "SensorThings API, damit andere Kommunen der Region sie nachnutzen können. Erste "
            "Datensätze umfassen Luftqualität, Parkraumbelegung, Verkehrszählungen und "
            "Baumstandorte. Ein Datenkatalog beschreibt Herkunft, Lizenz und Aktualität jedes "
            "Datensatzes. Für die Verwaltung entstehen Dashboards, die Entscheidungen etwa in der "
            "Verkehrs- und Klimaplanung unterstützen."
        ),
        "topics": ["data_platforms", "environment_climate"],
        "status": "in_progress",
        "target_groups": [
            "Verwaltungsmitarbeitende",
            "Wissenschaft",
            "Zivilgesellschaft",
            "Unternehmen",
        ],
        "value_proposition": (
            "Daten der Stadt werden auffindbar, nachnutzbar und zur Grundlage besserer "
            "Entscheidungen."
        ),
        "indicators": [
            {
                "name": "Veröffentlichte Open-Data-Datensätze",
                "unit": "Anzahl",
                "target": 150.0,
                "current": 62.0,
            },
            {"name": "Angebundene Sensoren", "unit": "Anzahl", "target": 500.0, "current": 215.0},
        ],
        "budget_eur": 1250000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 500000.0},
            {"name": "Eigenmittel", "amount_eur": 750000.0},
        ],
        "start_date": "2023-04-01",
        "end_date": "2026-03-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Stabsstelle Digitalisierung der Universitätsstadt Marburg",
            "role": "Produktverantwortung Datenplattform",
            "email": "daten@marburg.example",
        },
        "links": [{"title": "Open-Data-Portal (Demo)", "url": "https://opendata.marburg.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Open Data", "Datenplattform", "SensorThings", "Dashboards"],
    },
    {
        "municipality_ags": "06534014",
        "title": "LoRaWAN-Parksensorik für Behindertenparkplätze und Ladezonen",
        "summary": (
            "Bodensensoren melden über ein städtisches LoRaWAN-Netz die Belegung von "
            "Behindertenparkplätzen und Lieferzonen in der Innenstadt. Die Daten fließen in die "
            "urbane Datenplattform und eine Parkinfo-Karte."
        ),
        "description": (
            "In der Innenstadt und im Bahnhofsumfeld wurden Bodensensoren in Stellplätze "
            "eingelassen, die den Belegungsstatus per LoRaWAN übertragen. Das Funknetz mit "
            "Gateways auf städtischen Gebäuden steht auch für weitere Sensoranwendungen zur "
            "Verfügung. Die Belegung wird in Echtzeit auf einer Webkarte angezeigt und als Open "
            "Data veröffentlicht. Die Auswertung zeigt deutlich kürzere Suchzeiten für Menschen "
            "mit Behinderung."
        ),
        "topics": ["mobility", "data_platforms"],
        "status": "completed",
        "target_groups": ["Menschen mit Behinderung", "Lieferdienste", "Bürgerinnen und Bürger"],
        "value_proposition": (
            "Wer auf einen besonderen Stellplatz angewiesen ist, sieht vorab, wo einer frei ist."
        ),
        "indicators": [
            {
                "name": "Ausgestattete Stellplätze",
                "unit": "Anzahl",
                "target": 120.0,
                "current": 120.0,
            },
            {"name": "LoRaWAN-Gateways", "unit": "Anzahl", "target": 12.0, "current": 12.0},
        ],
        "budget_eur": 240000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 120000.0},
            {"name": "Eigenmittel", "amount_eur": 120000.0},
        ],
        "start_date": "2022-05-01",
        "end_date": "2024-03-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Stabsstelle Digitalisierung der Universitätsstadt Marburg",
            "role": "Projektleitung LoRaWAN",
            "email": "lorawan@marburg.example",
        },
        "links": [{"title": "Parkinfo-Karte (Demo)", "url": "https://parken.marburg.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["LoRaWAN", "Parksensorik", "Barrierefreiheit", "IoT"],
    },
    {
        "municipality_ags": "06534014",
        "title": "Digitale Beteiligungsplattform für Stadtentwicklung",
        "summary": (
            "Die Stadt führt eine Open-Source-Beteiligungsplattform ein, auf der Bürgerinnen und "
            "Bürger Planungen kommentieren, Vorschläge einreichen und über Projekte abstimmen "
            "können."
        ),
        "description": (
            "Bisher wurden Beteiligungsverfahren mit unterschiedlichen Werkzeugen und oft nur "
            "analog durchgeführt. Die neue Plattform bündelt Online-Umfragen, Kartenkommentare zu "
            "Bebauungsplänen und Ideenwettbewerbe an einem Ort. Präsenzveranstaltungen in den "
            "Stadtteilen werden mit der Online-Beteiligung verzahnt, damit auch Menschen ohne "
            "Internetzugang teilnehmen können. Die Ergebnisse jedes Verfahrens und der Umgang der "
            "Verwaltung damit werden transparent dokumentiert."
        ),
        "topics": ["participation"],
        "status": "in_progress",
        "target_groups": ["Bürgerinnen und Bürger", "Jugendliche", "Vereine und Initiativen"],
        "value_proposition": (
            "Mitreden bei der Stadtentwicklung wird einfacher, niedrigschwelliger und "
            "nachvollziehbarer."
        ),
        "indicators": [
            {
                "name": "Durchgeführte Beteiligungsverfahren",
                "unit": "Anzahl pro Jahr",
                "target": 12.0,
                "current": 7.0,
            },
            {
                "name": "Registrierte Nutzende",
                "unit": "Personen",
                "target": 5000.0,
                "current": 2300.0,
            },
        ],
        "budget_eur": 180000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 180000.0}],
        "start_date": "2024-02-01",
        "end_date": "2025-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Koordinationsstelle Bürgerbeteiligung",
            "role": "Referentin für Bürgerbeteiligung",
            "email": "beteiligung@marburg.example",
        },
        "links": [
            {"title": "Beteiligungsplattform (Demo)", "url": "https://mitmachen.marburg.example"},
        ],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Bürgerbeteiligung", "Open Source", "Stadtentwicklung"],
    },
    {
        "municipality_ags": "06534014",
        "title": "Pilot für einen souveränen digitalen Arbeitsplatz auf Basis von openDesk",
        "summary": (
            "In zwei Fachdiensten wird openDesk als Open-Source-Alternative zu proprietären "
            "Bürosoftware-Paketen erprobt. Ziel ist eine Entscheidungsgrundlage für die gesamte "
            "Verwaltung."
        ),
        "description": (
            "openDesk bündelt E-Mail, Kalender, Dateiablage, Textverarbeitung, Chat und "
            "Videokonferenz in einer integrierten Oberfläche. Im Pilot werden Alltagstauglichkeit, "
            "Kompatibilität mit Fachverfahren und Dokumentvorlagen sowie der Betriebsaufwand "
            "bewertet. Personalrat und behördlicher Datenschutz werden von Beginn an eingebunden. "
            "Die Ergebnisse sollen mit anderen Kommunen der Region geteilt werden, um gemeinsame "
            "Betriebsmodelle zu prüfen."
        ),
        "topics": ["internal_it", "it_security"],
        "status": "planned",
        "target_groups": ["Verwaltungsmitarbeitende", "IT-Abteilungen"],
        "value_proposition": (
            "Die Verwaltung verringert Abhängigkeiten von einzelnen Anbietern und behält die "
            "Kontrolle über ihre Daten."
        ),
        "indicators": [
            {"name": "Pilotnutzende", "unit": "Personen", "target": 80.0, "current": 0.0},
            {
                "name": "Zufriedenheit der Pilotnutzenden",
                "unit": "%",
                "target": 75.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 150000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 150000.0}],
        "start_date": "2025-09-01",
        "end_date": "2026-08-31",
        "partner_municipalities": [],
        "contact": {
            "name": "IT-Abteilung der Universitätsstadt Marburg",
            "role": "Projektleitung Digitaler Arbeitsplatz",
            "email": "it-projekte@marburg.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["openDesk", "Digitale Souveränität", "Open Source", "Arbeitsplatz"],
    },
    {
        "municipality_ags": "06534014",
        "title": "Energiemonitoring für kommunale Liegenschaften",
        "summary": (
            "Zähler in Schulen, Kitas, Verwaltungsgebäuden und Sporthallen werden fernausgelesen "
            "und in einer Energiemanagement-Software ausgewertet. Auffällige Verbräuche werden "
            "automatisch gemeldet."
        ),
        "description": (
            "Rund 120 städtische Gebäude erhalten fernauslesbare Zähler für Strom, Wärme und "
            "Wasser. Die Messwerte laufen in ein zentrales Energiemanagementsystem, das Lastgänge "
            "visualisiert und Abweichungen vom Sollverbrauch erkennt. Hausmeisterinnen und "
            "Hausmeister werden geschult, auf Alarme zu reagieren und Heizzeiten anzupassen. Die "
            "Einsparungen werden jährlich im Energiebericht der Stadt ausgewiesen."
        ),
        "topics": ["energy", "environment_climate"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende", "Hausmeisterdienste", "Schulen"],
        "value_proposition": (
            "Energieverschwendung in städtischen Gebäuden wird schnell erkannt und dauerhaft "
            "reduziert."
        ),
        "indicators": [
            {
                "name": "Gebäude mit Fernauslesung",
                "unit": "Anzahl",
                "target": 120.0,
                "current": 71.0,
            },
            {
                "name": "Reduktion des Wärmeverbrauchs gegenüber 2022",
                "unit": "%",
                "target": 15.0,
                "current": 6.0,
            },
        ],
        "budget_eur": 560000.0,
        "funding_sources": [
            {
                "name": "Kommunalrichtlinie (Nationale Klimaschutzinitiative)",
                "amount_eur": 280000.0,
            },
            {"name": "Eigenmittel", "amount_eur": 280000.0},
        ],
        "start_date": "2024-01-15",
        "end_date": "2026-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Fachdienst Klimaschutz und Energiemanagement",
            "role": "Energiemanager",
            "email": "energie@marburg.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Energiemanagement", "Liegenschaften", "Smart Metering", "Klimaschutz"],
    },
    {
        "municipality_ags": "06534018",
        "title": "Online-Kita-Anmeldung mit zentraler Platzvergabe",
        "summary": (
            "Eltern melden ihr Kind über ein Online-Portal für Wunsch-Kitas an und sehen den "
            "Bearbeitungsstand. Die Vergabe der Plätze erfolgt zentral und nach transparenten "
            "Kriterien."
        ),
        "description": (
            "Vorher mussten Eltern ihr Kind in jeder Einrichtung einzeln vormerken, was zu "
            "Mehrfachanmeldungen und unklaren Wartelisten führte. Das Portal ermöglicht die Angabe "
            "von bis zu drei Wunscheinrichtungen und die Anmeldung mit dem Nutzerkonto BundID. "
            "Städtische und freie Träger arbeiten mit derselben Vormerkliste. Die Platzvergabe ist "
            "dadurch schneller und für die Eltern nachvollziehbar."
        ),
        "topics": ["citizen_services", "education", "administration"],
        "status": "completed",
        "target_groups": ["Eltern", "Kindertagesstätten", "Freie Träger"],
        "value_proposition": (
            "Eltern finden schneller einen Kita-Platz und sparen sich Mehrfachanmeldungen."
        ),
        "indicators": [
            {"name": "Anteil Online-Anmeldungen", "unit": "%", "target": 90.0, "current": 93.0},
            {
                "name": "Bearbeitungszeit bis zur Zusage",
                "unit": "Wochen",
                "target": 6.0,
                "current": 5.0,
            },
        ],
        "budget_eur": 95000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 47500.0},
            {"name": "Eigenmittel", "amount_eur": 47500.0},
        ],
        "start_date": "2022-09-01",
        "end_date": "2023-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Fachbereich Kinder, Jugend und Familie",
            "role": "Kita-Koordination",
            "email": "kita@stadtallendorf.example",
        },
        "links": [{"title": "Kita-Portal (Demo)", "url": "https://kita.stadtallendorf.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Kita-Anmeldung", "OZG", "Eltern", "BundID"],
    },
    {
        "municipality_ags": "06534018",
        "title": "Videoberatung im Bürgerbüro",
        "summary": (
            "Beratungsgespräche im Bürgerbüro sollen auch per Video möglich sein, bei Bedarf mit "
            "zugeschalteten Dolmetschenden. Das Projekt ruht, bis die Anbindung an das "
            "Terminmanagement geklärt ist."
        ),
        "description": (
            "Viele Anliegen erfordern vorab eine Beratung, welche Unterlagen mitzubringen sind, "
            "bevor ein persönlicher Termin sinnvoll ist. Geplant war eine Videoberatung über eine "
            "datenschutzkonforme, browserbasierte Lösung mit Terminbuchung über die städtische "
            "Website. Ein Testbetrieb zeigte, dass das vorhandene Terminmanagementsystem keine "
            "Videotermine abbilden kann. Das Projekt ist daher pausiert, bis die Ausschreibung "
            "eines neuen Terminmanagements abgeschlossen ist."
        ),
        "topics": ["citizen_services"],
        "status": "paused",
        "target_groups": [
            "Bürgerinnen und Bürger",
            "Menschen mit Migrationsgeschichte",
            "Ältere Menschen",
        ],
        "value_proposition": (
            "Bürgerinnen und Bürger klären Fragen vorab ohne Wartezeit und kommen gut vorbereitet "
            "zum Termin."
        ),
        "indicators": [
            {
                "name": "Durchgeführte Videoberatungen",
                "unit": "Anzahl pro Monat",
                "target": 150.0,
                "current": 12.0,
            },
        ],
        "budget_eur": 40000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 40000.0}],
        "start_date": "2024-03-01",
        "end_date": "2025-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Bürgerbüro Stadtallendorf",
            "role": "Leitung Bürgerbüro",
            "email": "buergerbuero@stadtallendorf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Videoberatung", "Bürgerbüro", "Mehrsprachigkeit"],
    },
    {
        "municipality_ags": "06534018",
        "title": "Migration der Fachverfahren in ein kommunales Rechenzentrum",
        "summary": (
            "Die Fachverfahren der Stadtverwaltung werden aus dem eigenen Serverraum in ein "
            "zertifiziertes kommunales Rechenzentrum verlagert. Damit sollen Ausfallsicherheit und "
            "Informationssicherheit steigen."
        ),
        "description": (
            "Der Serverraum im Rathaus erfüllt die heutigen Anforderungen an Redundanz, "
            "Klimatisierung und Zutrittsschutz nur noch eingeschränkt. Geplant ist die "
            "schrittweise Verlagerung aller Fachverfahren und Fileserver in ein nach "
            "BSI-Grundschutz zertifiziertes Rechenzentrum eines kommunalen IT-Dienstleisters. Vor "
            "der Migration werden Abhängigkeiten und Schnittstellen jedes Verfahrens dokumentiert. "
            "Die Umstellung erfolgt an Wochenenden, um den Bürgerservice nicht zu beeinträchtigen."
        ),
        "topics": ["internal_it", "it_security"],
        "status": "planned",
        "target_groups": ["Verwaltungsmitarbeitende", "IT-Abteilung"],
        "value_proposition": (
            "Die IT der Stadtverwaltung läuft ausfallsicher und professionell abgesichert."
        ),
        "indicators": [
            {"name": "Migrierte Fachverfahren", "unit": "Anzahl", "target": 42.0, "current": 0.0},
            {
                "name": "Stillgelegte Server im Rathaus",
                "unit": "Anzahl",
                "target": 18.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 380000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 380000.0}],
        "start_date": "2026-02-01",
        "end_date": "2027-03-31",
        "partner_municipalities": [],
        "contact": {
            "name": "IT-Abteilung der Stadt Stadtallendorf",
            "role": "Leitung IT",
            "email": "it@stadtallendorf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "private",
        "tags": ["Rechenzentrum", "Migration", "Ausfallsicherheit"],
    },
    {
        "municipality_ags": "06534011",
        "title": "Mobilitätsstation am Bahnhof Kirchhain",
        "summary": (
            "Am Bahnhof entsteht eine Mobilitätsstation mit sicheren Fahrradabstellanlagen, "
            "E-Bike-Verleih, Carsharing und digitaler Fahrgastinformation. Alle Angebote sollen "
            "über eine gemeinsame App buchbar sein."
        ),
        "description": (
            "Der Bahnhof Kirchhain ist ein wichtiger Umsteigepunkt an der Main-Weser-Bahn für "
            "Pendelnde aus dem Ostkreis. Geplant sind eine abschließbare Fahrradsammelanlage mit "
            "digitalem Zugang, Ladepunkte für E-Autos und Pedelecs sowie Carsharing-Stellplätze. "
            "Eine Informationsstele zeigt Echtzeit-Abfahrten von Bahn und Bus an. Die Auslastung "
            "der Anlagen wird über Sensoren erfasst, um das Angebot bedarfsgerecht zu erweitern."
        ),
        "topics": ["mobility", "environment_climate"],
        "status": "planned",
        "target_groups": ["Pendelnde", "Bürgerinnen und Bürger", "Touristinnen und Touristen"],
        "value_proposition": "Der Umstieg vom Auto auf Bahn und Rad wird bequemer und sicherer.",
        "indicators": [
            {"name": "Fahrradabstellplätze", "unit": "Anzahl", "target": 150.0, "current": 0.0},
            {"name": "Ladepunkte", "unit": "Anzahl", "target": 8.0, "current": 0.0},
        ],
        "budget_eur": 1100000.0,
        "funding_sources": [
            {"name": "Förderung Nahmobilität (Land Hessen)", "amount_eur": 660000.0},
            {"name": "Eigenmittel", "amount_eur": 440000.0},
        ],
        "start_date": "2026-03-01",
        "end_date": "2027-10-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Stadtplanung Kirchhain",
            "role": "Klimaschutz- und Mobilitätsmanagement",
            "email": "mobilitaet@kirchhain.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Mobilitätsstation", "Bahnhof", "Radverkehr", "Carsharing"],
    },
    {
        "municipality_ags": "06534011",
        "title": "Einführung der E-Akte in der Stadtverwaltung",
        "summary": (
            "Die Stadtverwaltung stellt schrittweise von Papierakten auf eine elektronische "
            "Aktenführung mit Dokumentenmanagementsystem um. Begonnen wird mit Personalwesen, "
            "Bauverwaltung und Ordnungsamt."
        ),
        "description": (
            "Grundlage sind ein Aktenplan nach kommunalem Standard und ein Organisationskonzept "
            "für die elektronische Vorgangsbearbeitung. Posteingänge werden zentral gescannt und "
            "direkt der elektronischen Akte zugeordnet. Fachverfahren werden über Schnittstellen "
            "angebunden, damit Dokumente nicht doppelt abgelegt werden. In jeder Abteilung "
            "begleiten Multiplikatorinnen und Multiplikatoren die Beschäftigten bei der Umstellung."
        ),
        "topics": ["administration", "internal_it"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende"],
        "value_proposition": (
            "Akten sind jederzeit und ortsunabhängig verfügbar, Vorgänge werden schneller "
            "bearbeitet."
        ),
        "indicators": [
            {"name": "Abteilungen mit E-Akte", "unit": "Anzahl", "target": 9.0, "current": 3.0},
            {
                "name": "Anteil digital eingehender Post",
                "unit": "%",
                "target": 80.0,
                "current": 45.0,
            },
        ],
        "budget_eur": 310000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 310000.0}],
        "start_date": "2024-04-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Hauptamt der Stadt Kirchhain",
            "role": "Projektleitung E-Akte",
            "email": "e-akte@kirchhain.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["E-Akte", "DMS", "Digitale Verwaltung"],
    },
    {
        "municipality_ags": "06534004",
        "title": "Digitaler Gästeservice entlang des Lahntalradwegs",
        "summary": (
            "Die Anrainerkommunen im Landkreis entwickeln gemeinsam digitale Angebote für "
            "Radreisende: ein Tourenportal, aktuelle Infos zu Einkehr- und Lademöglichkeiten sowie "
            "Audio-Guides zu Sehenswürdigkeiten."
        ),
        "description": (
            "Der Lahntalradweg ist eine der wichtigsten touristischen Achsen der Region. Im "
            "Projekt werden Daten zu Unterkünften, Gastronomie, E-Bike-Ladestationen und "
            "Fahrradwerkstätten einheitlich erfasst und über eine offene Schnittstelle "
            "bereitgestellt. Darauf aufbauend entstehen ein mobiles Tourenportal und "
            "Audio-Stationen, etwa am Schloss Biedenkopf. Die Daten werden auch an landesweite "
            "Tourismusportale weitergegeben."
        ),
        "topics": ["culture_tourism", "economy"],
        "status": "in_progress",
        "target_groups": [
            "Touristinnen und Touristen",
            "Gastronomie und Beherbergung",
            "Einzelhandel",
        ],
        "value_proposition": (
            "Gäste finden unterwegs schnell alle Informationen, und die lokale Wirtschaft "
            "profitiert von längeren Aufenthalten."
        ),
        "indicators": [
            {
                "name": "Erfasste touristische Angebote",
                "unit": "Anzahl",
                "target": 400.0,
                "current": 260.0,
            },
            {
                "name": "Seitenaufrufe Tourenportal",
                "unit": "Aufrufe pro Jahr",
                "target": 100000.0,
                "current": 38000.0,
            },
        ],
        "budget_eur": 320000.0,
        "funding_sources": [
            {"name": "LEADER-Förderung", "amount_eur": 192000.0},
            {"name": "Eigenmittel", "amount_eur": 128000.0},
        ],
        "start_date": "2024-05-01",
        "end_date": "2026-04-30",
        "partner_municipalities": [
            "06534007",
            "06534012",
            "06534006",
            "06534014",
            "06534020",
            "06534009",
        ],
        "contact": {
            "name": "Tourist-Information Biedenkopf",
            "role": "Tourismusmanagement",
            "email": "tourismus@biedenkopf.example",
        },
        "links": [{"title": "Tourenportal (Demo)", "url": "https://lahntal-radweg.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Lahntalradweg", "Radtourismus", "Open Data", "Audio-Guide"],
    },
    {
        "municipality_ags": "06534004",
        "title": "Coworking-Space im Hinterland",
        "summary": (
            "In einem leerstehenden Ladenlokal der Altstadt könnte ein Coworking-Space für "
            "Pendelnde, Selbstständige und Gründende entstehen. Eine Bedarfsumfrage soll klären, "
            "ob das Angebot tragfähig ist."
        ),
        "description": (
            "Viele Beschäftigte pendeln täglich in die Zentren der Region und könnten an einigen "
            "Tagen wohnortnah arbeiten. Die Idee ist ein Coworking-Space mit schnellem "
            "Glasfaseranschluss, buchbaren Arbeitsplätzen und einem Besprechungsraum. Der Raum "
            "könnte zugleich als Treffpunkt für digitale Bildungsangebote dienen und die "
            "Innenstadt beleben. Als nächster Schritt ist eine Umfrage unter Unternehmen sowie "
            "Einwohnerinnen und Einwohnern geplant."
        ),
        "topics": ["economy"],
        "status": "idea",
        "target_groups": [
            "Pendelnde",
            "Selbstständige",
            "Gründerinnen und Gründer",
            "Unternehmen",
        ],
        "value_proposition": "Wohnortnahes Arbeiten spart Pendelwege und belebt die Innenstadt.",
        "indicators": [
            {
                "name": "Interessierte laut Bedarfsumfrage",
                "unit": "Personen",
                "target": 60.0,
                "current": 0.0,
            },
        ],
        "budget_eur": None,
        "funding_sources": [],
        "start_date": None,
        "end_date": None,
        "partner_municipalities": [],
        "contact": {
            "name": "Wirtschaftsförderung der Stadt Biedenkopf",
            "role": "Wirtschaftsförderung",
            "email": "wirtschaft@biedenkopf.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Coworking", "Leerstand", "Ländlicher Raum", "Neue Arbeit"],
    },
    {
        "municipality_ags": "06534010",
        "title": "Ratsinformationssystem und papierlose Gremienarbeit",
        "summary": (
            "Sitzungsunterlagen für Stadtverordnetenversammlung, Ausschüsse und Ortsbeiräte werden "
            "ausschließlich digital bereitgestellt. Bürgerinnen und Bürger können öffentliche "
            "Vorlagen und Beschlüsse online einsehen."
        ),
        "description": (
            "Mit dem neuen Ratsinformationssystem werden Einladungen, Vorlagen und Niederschriften "
            "digital erstellt und verteilt. Die Mandatsträgerinnen und Mandatsträger erhielten "
            "Tablets und eine App, mit der sie Unterlagen auch offline lesen und kommentieren "
            "können. Öffentliche Dokumente sind für alle über das Bürgerinformationsportal "
            "recherchierbar. Der Druck- und Versandaufwand für Sitzungsunterlagen ist seit der "
            "Umstellung stark gesunken."
        ),
        "topics": ["administration", "participation"],
        "status": "completed",
        "target_groups": [
            "Mandatsträgerinnen und Mandatsträger",
            "Bürgerinnen und Bürger",
            "Verwaltungsmitarbeitende",
        ],
        "value_proposition": (
            "Gremienarbeit wird schneller, günstiger und für die Öffentlichkeit transparenter."
        ),
        "indicators": [
            {
                "name": "Anteil digital versandter Sitzungsunterlagen",
                "unit": "%",
                "target": 100.0,
                "current": 100.0,
            },
            {
                "name": "Eingesparte Druckseiten",
                "unit": "Seiten pro Jahr",
                "target": 120000.0,
                "current": 135000.0,
            },
        ],
        "budget_eur": 85000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 85000.0}],
        "start_date": "2022-01-01",
        "end_date": "2023-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Büro der Stadtverordnetenversammlung",
            "role": "Sachbearbeitung Gremien",
            "email": "gremien@gladenbach.example",
        },
        "links": [
            {
                "title": "Bürgerinformationsportal (Demo)",
                "url": "https://ratsinfo.gladenbach.example",
            },
        ],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Ratsinformationssystem", "Gremienarbeit", "Transparenz", "Papierlos"],
    },
    {
        "municipality_ags": "06534010",
        "title": "Digitale Gästekarte für die Kneipp-Kurorte",
        "summary": (
            "Gladenbach und Bad Endbach planen eine gemeinsame digitale Gästekarte, die "
            "Kurbeitrag, Nahverkehr und Ermäßigungen bei Partnerbetrieben auf dem Smartphone "
            "bündelt."
        ),
        "description": (
            "Bisher erhalten Gäste eine Papierkarte, die in jedem Betrieb von Hand erfasst wird. "
            "Die digitale Gästekarte wird von den Beherbergungsbetrieben bei der Anmeldung "
            "ausgestellt und erleichtert zugleich die Abrechnung des Kurbeitrags. Partner aus "
            "Gastronomie, Kultur und Freizeit können eigene Angebote hinterlegen. Anonymisierte "
            "Auswertungen helfen den Kommunen, das touristische Angebot weiterzuentwickeln."
        ),
        "topics": ["culture_tourism"],
        "status": "planned",
        "target_groups": ["Touristinnen und Touristen", "Beherbergungsbetriebe", "Gastronomie"],
        "value_proposition": (
            "Gäste haben alle Vorteile ihres Aufenthalts digital dabei, Betriebe sparen "
            "Verwaltungsaufwand."
        ),
        "indicators": [
            {
                "name": "Ausgestellte digitale Gästekarten",
                "unit": "Anzahl pro Jahr",
                "target": 25000.0,
                "current": 0.0,
            },
            {
                "name": "Teilnehmende Partnerbetriebe",
                "unit": "Anzahl",
                "target": 60.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 210000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 105000.0},
            {"name": "Eigenmittel", "amount_eur": 105000.0},
        ],
        "start_date": "2025-11-01",
        "end_date": "2027-03-31",
        "partner_municipalities": ["06534003"],
        "contact": {
            "name": "Kur- und Touristikservice Gladenbach",
            "role": "Leitung Tourismus",
            "email": "tourismus@gladenbach.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Gästekarte", "Kurort", "Tourismus", "Kurbeitrag"],
    },
    {
        "municipality_ags": "06534003",
        "title": "Online-Buchung von Präventions- und Gesundheitsangeboten im Kurort",
        "summary": (
            "Kneipp-Anwendungen, Präventionskurse und Angebote des Thermalbads sollen über ein "
            "gemeinsames Online-Portal buchbar werden. Das Projekt ruht, weil mehrere Anbieter "
            "zunächst ihre Kassensysteme erneuern."
        ),
        "description": (
            "Gäste und Einheimische müssen Kurse bisher telefonisch bei unterschiedlichen "
            "Anbietern buchen. Geplant ist ein Portal mit Kalender, Online-Zahlung und "
            "Erinnerungsfunktion, in das Kurbetrieb, Physiotherapiepraxen und Sportvereine ihre "
            "Angebote einstellen. Von Krankenkassen bezuschusste Präventionskurse sollen besonders "
            "gekennzeichnet werden. Da mehrere Partner zunächst ihre Kassensysteme erneuern, wurde "
            "die Umsetzung vorerst zurückgestellt."
        ),
        "topics": ["health_care", "culture_tourism"],
        "status": "paused",
        "target_groups": [
            "Touristinnen und Touristen",
            "Bürgerinnen und Bürger",
            "Gesundheitsanbieter",
        ],
        "value_proposition": (
            "Gesundheits- und Präventionsangebote sind mit wenigen Klicks auffindbar und buchbar."
        ),
        "indicators": [
            {
                "name": "Buchbare Angebote im Portal",
                "unit": "Anzahl",
                "target": 120.0,
                "current": 15.0,
            },
            {
                "name": "Online-Buchungen",
                "unit": "Anzahl pro Monat",
                "target": 800.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 120000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 60000.0},
            {"name": "Eigenmittel", "amount_eur": 60000.0},
        ],
        "start_date": "2024-02-01",
        "end_date": "2026-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Kur- und Tourismusverwaltung Bad Endbach",
            "role": "Projektleitung Gesundheitstourismus",
            "email": "gesundheit@bad-endbach.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Kurort", "Prävention", "Online-Buchung"],
    },
    {
        "municipality_ags": "06534007",
        "title": "LoRaWAN-Pegelmessnetz zur Starkregen-Frühwarnung an kleinen Gewässern",
        "summary": (
            "An Bächen im oberen Lahntal messen funkbasierte Sensoren Wasserstände und "
            "Niederschlag. Bei kritischen Werten werden Feuerwehr und Bauhof automatisch alarmiert."
        ),
        "description": (
            "Kleine Gewässer reagieren bei Starkregen innerhalb weniger Minuten, amtliche Pegel "
            "gibt es dort meist nicht. Das Projekt errichtet ein interkommunales LoRaWAN-Netz mit "
            "Radar-Pegelsensoren an neuralgischen Stellen, etwa vor Verrohrungen und in Ortslagen. "
            "Die Messwerte werden in einem Dashboard dargestellt und mit Schwellenwerten für "
            "Vorwarnung und Alarm hinterlegt. Das Funknetz steht anschließend auch für weitere "
            "kommunale Anwendungen zur Verfügung."
        ),
        "topics": ["civil_protection", "environment_climate", "data_platforms"],
        "status": "in_progress",
        "target_groups": ["Feuerwehren", "Bauhöfe", "Bürgerinnen und Bürger"],
        "value_proposition": (
            "Einsatzkräfte gewinnen bei Starkregen wertvolle Minuten, um Menschen und Gebäude zu "
            "schützen."
        ),
        "indicators": [
            {
                "name": "Installierte Pegelsensoren",
                "unit": "Anzahl",
                "target": 30.0,
                "current": 14.0,
            },
            {"name": "LoRaWAN-Gateways", "unit": "Anzahl", "target": 8.0, "current": 5.0},
        ],
        "budget_eur": 260000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 130000.0},
            {"name": "Eigenmittel", "amount_eur": 130000.0},
        ],
        "start_date": "2024-03-01",
        "end_date": "2025-12-31",
        "partner_municipalities": ["06534004", "06534005", "06534000"],
        "contact": {
            "name": "Digitallotse der Gemeinde Dautphetal",
            "role": "Digitallotse",
            "email": "digitallotse@dautphetal.example",
        },
        "links": [{"title": "Pegel-Dashboard (Demo)", "url": "https://pegel.dautphetal.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["LoRaWAN", "Pegel", "Starkregen", "Frühwarnung"],
    },
    {
        "municipality_ags": "06534005",
        "title": "Telemedizinisch unterstützte Hausarztversorgung im Hinterland",
        "summary": (
            "Ein kommunal getragenes Versorgungszentrum mit Telemedizin-Arbeitsplätzen soll die "
            "hausärztliche Versorgung in Breidenbach, Angelburg und Steffenberg sichern."
        ),
        "description": (
            "Im ländlichen Raum wird es zunehmend schwieriger, frei werdende Hausarztsitze "
            "nachzubesetzen. Geplant ist ein Versorgungszentrum mit angestellten Ärztinnen und "
            "Ärzten, in dem speziell qualifizierte medizinische Fachangestellte "
            "Routineuntersuchungen übernehmen und bei Bedarf ärztliche Unterstützung per Video "
            "hinzuziehen. Online-Terminvergabe und Videosprechstunden verkürzen Wege für "
            "Patientinnen und Patienten. Die drei Gemeinden prüfen derzeit die Trägerschaft und "
            "die Abstimmung mit der Kassenärztlichen Vereinigung."
        ),
        "topics": ["health_care"],
        "status": "planned",
        "target_groups": ["Patientinnen und Patienten", "Ältere Menschen", "Ärztinnen und Ärzte"],
        "value_proposition": (
            "Die hausärztliche Versorgung bleibt wohnortnah gesichert, auch wenn Praxen keine "
            "Nachfolge finden."
        ),
        "indicators": [
            {
                "name": "Betreute Patientinnen und Patienten",
                "unit": "Personen pro Quartal",
                "target": 2500.0,
                "current": 0.0,
            },
            {"name": "Anteil Videosprechstunden", "unit": "%", "target": 15.0, "current": 0.0},
        ],
        "budget_eur": 1350000.0,
        "funding_sources": [
            {"name": "Landesförderung Gesundheit im ländlichen Raum", "amount_eur": 400000.0},
            {"name": "Eigenmittel", "amount_eur": 950000.0},
        ],
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "partner_municipalities": ["06534002", "06534019"],
        "contact": {
            "name": "Gemeindeverwaltung Breidenbach",
            "role": "Projektkoordination Gesundheitsversorgung",
            "email": "gesundheit@breidenbach.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Hausarztversorgung", "Telemedizin", "Versorgungszentrum"],
    },
    {
        "municipality_ags": "06534002",
        "title": "Gemeinsamer Informationssicherheitsbeauftragter für drei Hinterland-Gemeinden",
        "summary": (
            "Angelburg, Breidenbach und Steffenberg teilen sich einen "
            "Informationssicherheitsbeauftragten und bauen gemeinsam eine Basis-Absicherung nach "
            "BSI auf."
        ),
        "description": (
            "Kleine Verwaltungen können eine eigene Stelle für Informationssicherheit kaum "
            "besetzen und auslasten. Über eine öffentlich-rechtliche Vereinbarung finanzieren die "
            "drei Gemeinden gemeinsam eine Vollzeitstelle. Mit den Checklisten des BSI-Angebots "
            "Weg in die Basis-Absicherung (WiBA) werden die wichtigsten Sicherheitsmaßnahmen "
            "priorisiert und umgesetzt. Gemeinsame Notfallübungen und Sensibilisierungsschulungen "
            "stärken die Sicherheitskultur in allen drei Rathäusern."
        ),
        "topics": ["it_security", "administration"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende", "Bürgermeisterinnen und Bürgermeister"],
        "value_proposition": (
            "Auch kleine Gemeinden erreichen ein solides Grundniveau an Informationssicherheit zu "
            "tragbaren Kosten."
        ),
        "indicators": [
            {"name": "Umgesetzte WiBA-Prüffragen", "unit": "%", "target": 100.0, "current": 48.0},
            {"name": "Geschulte Beschäftigte", "unit": "%", "target": 100.0, "current": 85.0},
        ],
        "budget_eur": 240000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 120000.0},
            {"name": "Eigenmittel", "amount_eur": 120000.0},
        ],
        "start_date": "2024-07-01",
        "end_date": "2027-06-30",
        "partner_municipalities": ["06534005", "06534019"],
        "contact": {
            "name": "Informationssicherheit der Gemeinden Angelburg, Breidenbach und Steffenberg",
            "role": "Informationssicherheitsbeauftragter",
            "email": "isb@angelburg.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["ISB", "WiBA", "Interkommunal", "Informationssicherheit"],
    },
    {
        "municipality_ags": "06534006",
        "title": "Digitale Ehrenamtsbörse",
        "summary": (
            "Vereine und Initiativen veröffentlichen Mitmachangebote in einer "
            "Online-Ehrenamtsbörse, Interessierte finden passende Engagements in ihrer Nähe."
        ),
        "description": (
            "Viele Vereine suchen Engagierte für einzelne Aufgaben oder zeitlich begrenzte "
            "Projekte, erreichen neue Zielgruppen aber nur schwer. Die Ehrenamtsbörse bietet eine "
            "einfache Eingabemaske für Vereine und Filter nach Ortsteil, Zeitaufwand und "
            "Interessen. Die Digitallotsin der Gemeinde unterstützt Vereine beim Einrichten ihrer "
            "Profile. Nach dem erfolgreichen Start wird das Angebot regelmäßig im Mitteilungsblatt "
            "beworben."
        ),
        "topics": ["participation", "citizen_services"],
        "status": "completed",
        "target_groups": [
            "Vereine und Initiativen",
            "Bürgerinnen und Bürger",
            "Neubürgerinnen und Neubürger",
        ],
        "value_proposition": (
            "Engagement wird leichter: Vereine finden Unterstützung, Interessierte finden ihr "
            "passendes Ehrenamt."
        ),
        "indicators": [
            {
                "name": "Registrierte Vereine und Initiativen",
                "unit": "Anzahl",
                "target": 40.0,
                "current": 46.0,
            },
            {
                "name": "Vermittelte Engagements",
                "unit": "Anzahl pro Jahr",
                "target": 80.0,
                "current": 95.0,
            },
        ],
        "budget_eur": 25000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 25000.0}],
        "start_date": "2023-03-01",
        "end_date": "2023-11-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Digitallotsin der Gemeinde Cölbe",
            "role": "Digitallotsin",
            "email": "digitallotsin@coelbe.example",
        },
        "links": [{"title": "Ehrenamtsbörse (Demo)", "url": "https://ehrenamt.coelbe.example"}],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Ehrenamt", "Vereine", "Engagement"],
    },
    {
        "municipality_ags": "06534012",
        "title": "Starkregen-Gefahrenkarte und Klimaanpassungskonzept",
        "summary": (
            "Auf Basis einer hydraulischen Fließweganalyse entsteht eine Starkregen-Gefahrenkarte "
            "für alle Ortsteile. Sie wird online veröffentlicht und um Vorsorgehinweise für "
            "Eigentümerinnen und Eigentümer ergänzt."
        ),
        "description": (
            "Starkregen kann auch abseits großer Gewässer erhebliche Schäden an Gebäuden und "
            "Straßen verursachen. Ein Ingenieurbüro modelliert Fließwege und Überflutungstiefen "
            "auf Grundlage eines hochaufgelösten Geländemodells. Die Ergebnisse fließen in ein "
            "Handlungskonzept mit baulichen und organisatorischen Maßnahmen ein. Eine interaktive "
            "Karte informiert Bürgerinnen und Bürger über die Gefährdung ihres Grundstücks und "
            "Möglichkeiten der Eigenvorsorge."
        ),
        "topics": ["environment_climate", "civil_protection"],
        "status": "planned",
        "target_groups": [
            "Bürgerinnen und Bürger",
            "Grundstückseigentümerinnen und -eigentümer",
            "Bauhöfe",
        ],
        "value_proposition": (
            "Alle wissen, wo bei Starkregen Gefahr droht, und können gezielt vorsorgen."
        ),
        "indicators": [
            {"name": "Untersuchte Ortsteile", "unit": "Anzahl", "target": 7.0, "current": 0.0},
            {
                "name": "Beschlossene Vorsorgemaßnahmen",
                "unit": "Anzahl",
                "target": 15.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 140000.0,
        "funding_sources": [
            {"name": "Klimarichtlinie Hessen", "amount_eur": 98000.0},
            {"name": "Eigenmittel", "amount_eur": 42000.0},
        ],
        "start_date": "2025-09-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Bauamt der Gemeinde Lahntal",
            "role": "Klimaschutzmanagement",
            "email": "klima@lahntal.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Starkregen", "Klimaanpassung", "Gefahrenkarte"],
    },
    {
        "municipality_ags": "06534020",
        "title": "Glasfaseranschluss für das Gewerbegebiet",
        "summary": (
            "Alle Betriebe im Gewerbegebiet wurden an ein Glasfasernetz mit symmetrischen "
            "Bandbreiten angeschlossen. Der Ausbau wurde mit der Erschließung von "
            "Erweiterungsflächen koordiniert."
        ),
        "description": (
            "Für Unternehmen sind hohe Upload-Bandbreiten für Cloud-Anwendungen und "
            "Videokonferenzen inzwischen ein wichtiger Standortfaktor. Die Gemeinde nutzte die "
            "Erschließungsarbeiten für ein Erweiterungsgebiet, um Leerrohre für das gesamte "
            "Gewerbegebiet mitzuverlegen. Ein Netzbetreiber hat das passive Netz gepachtet und "
            "bietet Anschlüsse mit bis zu 10 Gbit/s an. Durch die Mitverlegung konnten die "
            "Tiefbaukosten erheblich gesenkt werden."
        ),
        "topics": ["broadband", "economy"],
        "status": "completed",
        "target_groups": ["Unternehmen", "Gewerbetreibende"],
        "value_proposition": (
            "Betriebe erhalten gigabitfähige Anschlüsse und bleiben am Standort wettbewerbsfähig."
        ),
        "indicators": [
            {"name": "Angeschlossene Betriebe", "unit": "Anzahl", "target": 35.0, "current": 38.0},
            {"name": "Verlegte Leerrohrtrasse", "unit": "km", "target": 4.5, "current": 4.8},
        ],
        "budget_eur": 980000.0,
        "funding_sources": [
            {"name": "Kofinanzierung Land Hessen", "amount_eur": 392000.0},
            {"name": "Eigenmittel", "amount_eur": 588000.0},
        ],
        "start_date": "2021-04-01",
        "end_date": "2023-09-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Bauamt der Gemeinde Weimar (Lahn)",
            "role": "Wirtschaftsförderung und Breitband",
            "email": "breitband@weimar-lahn.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Glasfaser", "Gewerbegebiet", "Mitverlegung"],
    },
    {
        "municipality_ags": "06534009",
        "title": "Kommunale Wärmeplanung mit digitalem Wärmekataster",
        "summary": (
            "Die Gemeinde erstellt eine kommunale Wärmeplanung und baut dafür ein digitales "
            "Wärmekataster auf. Es zeigt, wo Wärmenetze sinnvoll sind und wo Einzellösungen wie "
            "Wärmepumpen besser passen."
        ),
        "description": (
            "Nach dem Wärmeplanungsgesetz müssen auch kleinere Kommunen bis 2028 eine Wärmeplanung "
            "vorlegen. Gebäudedaten, Verbrauchswerte der Netzbetreiber und Potenziale erneuerbarer "
            "Energien werden in einem geografischen Informationssystem zusammengeführt. Auf dieser "
            "Grundlage werden Eignungsgebiete für Wärmenetze und eine Umsetzungsstrategie "
            "entwickelt. Die Ergebnisse werden in einer Bürgerversammlung und als interaktive "
            "Karte vorgestellt."
        ),
        "topics": ["energy", "environment_climate", "data_platforms"],
        "status": "in_progress",
        "target_groups": [
            "Bürgerinnen und Bürger",
            "Grundstückseigentümerinnen und -eigentümer",
            "Energieversorger",
        ],
        "value_proposition": (
            "Eigentümerinnen und Eigentümer erhalten Orientierung, welche Wärmeversorgung in ihrem "
            "Ortsteil künftig sinnvoll ist."
        ),
        "indicators": [
            {
                "name": "Erfasste Gebäude im Wärmekataster",
                "unit": "Anzahl",
                "target": 1600.0,
                "current": 1100.0,
            },
            {
                "name": "Identifizierte Eignungsgebiete für Wärmenetze",
                "unit": "Anzahl",
                "target": 3.0,
                "current": 1.0,
            },
        ],
        "budget_eur": 85000.0,
        "funding_sources": [
            {"name": "Landesförderung Kommunale Wärmeplanung", "amount_eur": 76500.0},
            {"name": "Eigenmittel", "amount_eur": 8500.0},
        ],
        "start_date": "2024-10-01",
        "end_date": "2026-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Gemeindeverwaltung Fronhausen",
            "role": "Klimaschutzmanagerin",
            "email": "waermeplanung@fronhausen.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Wärmeplanung", "Wärmekataster", "GIS", "Klimaschutz"],
    },
    {
        "municipality_ags": "06534013",
        "title": "IT-Notfallkonzept und Offline-Datensicherung für das Rathaus",
        "summary": (
            "Die Gemeinde erstellt ein IT-Notfallkonzept und richtet eine vom Netz getrennte "
            "Datensicherung ein, um nach einem Cyberangriff handlungsfähig zu bleiben."
        ),
        "description": (
            "Eine Datensicherung hilft nach einem Angriff mit Verschlüsselungstrojanern nur, wenn "
            "sie nicht selbst mitverschlüsselt wird. Das Projekt richtet eine unveränderbare und "
            "räumlich getrennte Sicherung aller Fachverfahrensdaten ein. Ein Notfallhandbuch legt "
            "fest, welche Leistungen bei einem Ausfall Vorrang haben und wie die Verwaltung "
            "übergangsweise analog weiterarbeitet. Die Wiederherstellung wird zweimal jährlich "
            "geübt."
        ),
        "topics": ["it_security", "internal_it"],
        "status": "in_progress",
        "target_groups": ["Verwaltungsmitarbeitende", "IT-Dienstleister"],
        "value_proposition": (
            "Die Gemeinde kann ihre wichtigsten Leistungen auch nach einem IT-Ausfall schnell "
            "wieder anbieten."
        ),
        "indicators": [
            {"name": "Gesicherte Fachverfahren", "unit": "Anzahl", "target": 14.0, "current": 9.0},
            {
                "name": "Erfolgreiche Wiederherstellungstests",
                "unit": "Anzahl pro Jahr",
                "target": 2.0,
                "current": 1.0,
            },
        ],
        "budget_eur": 60000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 60000.0}],
        "start_date": "2024-11-01",
        "end_date": "2026-03-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Hauptamt der Gemeinde Lohra",
            "role": "IT-Koordination",
            "email": "it@lohra.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "private",
        "tags": ["Notfallmanagement", "Backup", "Cybersicherheit"],
    },
    {
        "municipality_ags": "06534008",
        "title": "Dorf-App für alle Ortsteile",
        "summary": (
            "Eine gemeinsame App soll Neuigkeiten aus Gemeinde, Vereinen und Kirchengemeinden "
            "bündeln und einen digitalen Marktplatz für Nachbarschaftshilfe bieten."
        ),
        "description": (
            "Informationen aus der Gemeinde verteilen sich heute auf Mitteilungsblatt, Website, "
            "Aushänge und verschiedene Messenger-Gruppen. Die Idee ist eine Dorf-App, in der "
            "Gemeindeverwaltung, Vereine und Ortsbeiräte Nachrichten und Termine selbst "
            "einstellen. Ein Bereich für Nachbarschaftshilfe könnte Fahrgemeinschaften, "
            "Einkaufshilfen oder das Verleihen von Werkzeug vermitteln. Vor einer Entscheidung "
            "sollen bestehende Lösungen anderer Kommunen verglichen werden."
        ),
        "topics": ["participation", "citizen_services"],
        "status": "idea",
        "target_groups": ["Bürgerinnen und Bürger", "Vereine und Initiativen", "Ältere Menschen"],
        "value_proposition": (
            "Alle Ortsteile sind besser informiert und vernetzt, Nachbarschaftshilfe wird "
            "einfacher."
        ),
        "indicators": [
            {"name": "Aktive App-Nutzende", "unit": "Personen", "target": 2000.0, "current": 0.0},
        ],
        "budget_eur": None,
        "funding_sources": [],
        "start_date": None,
        "end_date": None,
        "partner_municipalities": [],
        "contact": {
            "name": "Digitallotse der Gemeinde Ebsdorfergrund",
            "role": "Digitallotse",
            "email": "digitallotse@ebsdorfergrund.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Dorf-App", "Nachbarschaftshilfe", "Vereine"],
    },
    {
        "municipality_ags": "06534001",
        "title": "Digitale Zeitreise auf dem Amöneburger Burgberg",
        "summary": (
            "Mit einer Augmented-Reality-Anwendung sollen Besucherinnen und Besucher die "
            "Geschichte von Burg, Stadt und Kloster auf dem Basaltkegel erleben können."
        ),
        "description": (
            "Der Burgberg mit Burgruine und historischem Stadtkern ist ein beliebtes Ausflugsziel. "
            "Die Idee ist eine Smartphone-Anwendung, die an markierten Punkten historische "
            "Rekonstruktionen einblendet und Geschichten aus verschiedenen Epochen erzählt. Die "
            "Inhalte könnten gemeinsam mit örtlichen Geschichtsinteressierten und Schulen "
            "erarbeitet werden. Zunächst soll geprüft werden, welche Fördermöglichkeiten bestehen "
            "und wie der dauerhafte Betrieb gesichert werden kann."
        ),
        "topics": ["culture_tourism", "education"],
        "status": "idea",
        "target_groups": ["Touristinnen und Touristen", "Schulen", "Familien"],
        "value_proposition": (
            "Geschichte wird vor Ort anschaulich und lockt neue Gäste auf den Burgberg."
        ),
        "indicators": [
            {"name": "Digitale Stationen", "unit": "Anzahl", "target": 12.0, "current": 0.0},
        ],
        "budget_eur": None,
        "funding_sources": [],
        "start_date": None,
        "end_date": None,
        "partner_municipalities": [],
        "contact": {
            "name": "Stadtverwaltung Amöneburg",
            "role": "Kultur und Tourismus",
            "email": "kultur@amoeneburg.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Augmented Reality", "Stadtgeschichte", "Tourismus"],
    },
    {
        "municipality_ags": "06534016",
        "title": "Photovoltaik auf kommunalen Dächern mit digitalem Energie-Dashboard",
        "summary": (
            "Geeignete Dächer von Bauhof, Feuerwehrhäusern und Bürgerhäusern sollen mit "
            "Photovoltaik belegt werden. Ein öffentliches Dashboard zeigt Erzeugung, "
            "Eigenverbrauch und eingesparte CO2-Emissionen."
        ),
        "description": (
            "Eine Potenzialanalyse hat die kommunalen Dachflächen nach Statik, Ausrichtung und "
            "Verschattung bewertet. In einem ersten Bauabschnitt werden die Dächer mit dem "
            "höchsten Eigenverbrauch belegt, überschüssiger Strom wird eingespeist. Wechselrichter "
            "und Zähler werden an ein Monitoring angebunden, das Störungen meldet. Das Dashboard "
            "auf der Website der Stadt macht die Wirkung für die Öffentlichkeit sichtbar."
        ),
        "topics": ["energy", "environment_climate"],
        "status": "planned",
        "target_groups": ["Verwaltungsmitarbeitende", "Bürgerinnen und Bürger"],
        "value_proposition": (
            "Die Stadt senkt ihre Stromkosten und macht ihren Beitrag zum Klimaschutz sichtbar."
        ),
        "indicators": [
            {"name": "Installierte PV-Leistung", "unit": "kWp", "target": 450.0, "current": 0.0},
            {"name": "Eigenverbrauchsquote", "unit": "%", "target": 60.0, "current": 0.0},
        ],
        "budget_eur": 720000.0,
        "funding_sources": [{"name": "Eigenmittel", "amount_eur": 720000.0}],
        "start_date": "2026-01-15",
        "end_date": "2027-06-30",
        "partner_municipalities": [],
        "contact": {
            "name": "Bauamt der Stadt Neustadt (Hessen)",
            "role": "Energiebeauftragter",
            "email": "energie@neustadt-hessen.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Photovoltaik", "Energie-Dashboard", "Klimaschutz"],
    },
    {
        "municipality_ags": "06534021",
        "title": "Digital-Sprechstunde für Seniorinnen und Senioren",
        "summary": (
            "Ehrenamtliche Digitallotsinnen und Digitallotsen helfen älteren Menschen im Umgang "
            "mit Smartphone, Tablet und Online-Diensten der Verwaltung. Die Sprechstunden finden "
            "wöchentlich in der Stadtbücherei und in Dorfgemeinschaftshäusern statt."
        ),
        "description": (
            "Immer mehr Dienstleistungen von Verwaltung, Banken und Gesundheitswesen sind online "
            "verfügbar, doch viele ältere Menschen fühlen sich davon ausgeschlossen. In offenen "
            "Sprechstunden und Kursen vermitteln geschulte Ehrenamtliche Grundlagen wie sichere "
            "Passwörter, Videotelefonie und die Nutzung der Online-Ausweisfunktion. Leihgeräte "
            "ermöglichen das Ausprobieren ohne eigene Anschaffung. Die Ehrenamtlichen werden durch "
            "Fortbildungen und einen regelmäßigen Austausch unterstützt."
        ),
        "topics": ["education", "participation"],
        "status": "in_progress",
        "target_groups": ["Ältere Menschen", "Ehrenamtliche"],
        "value_proposition": "Ältere Menschen nutzen digitale Angebote selbstbewusst und sicher.",
        "indicators": [
            {
                "name": "Durchgeführte Sprechstunden",
                "unit": "Anzahl pro Jahr",
                "target": 80.0,
                "current": 52.0,
            },
            {
                "name": "Aktive Digitallotsinnen und -lotsen",
                "unit": "Personen",
                "target": 15.0,
                "current": 11.0,
            },
        ],
        "budget_eur": 30000.0,
        "funding_sources": [
            {"name": "Förderprogramm Starke Heimat Hessen", "amount_eur": 18000.0},
            {"name": "Eigenmittel", "amount_eur": 12000.0},
        ],
        "start_date": "2024-09-01",
        "end_date": "2026-08-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Seniorenbüro der Stadt Wetter (Hessen)",
            "role": "Koordination Ehrenamt",
            "email": "senioren@wetter-hessen.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Digitale Teilhabe", "Senioren", "Ehrenamt", "Medienkompetenz"],
    },
    {
        "municipality_ags": "06534017",
        "title": "Fernüberwachung der Wasserversorgung per Funksensorik",
        "summary": (
            "Hochbehälter, Brunnen und Druckzonen der kommunalen Wasserversorgung sollen per "
            "Funksensorik überwacht werden. Leckagen und Ausfälle werden so früher erkannt."
        ),
        "description": (
            "Die Anlagen der Wasserversorgung liegen verteilt in den Ortsteilen und werden bisher "
            "teilweise durch regelmäßige Kontrollfahrten überwacht. Geplant sind Sensoren für "
            "Füllstand, Durchfluss und Druck, deren Messwerte über ein LoRaWAN-Netz an eine "
            "zentrale Plattform übertragen werden. Nächtliche Mindestdurchflüsse dienen zur "
            "Erkennung von Rohrbrüchen und schleichenden Verlusten. Da es sich um kritische "
            "Infrastruktur handelt, wird das Sicherheitskonzept vorab mit der "
            "Informationssicherheit des Kreises abgestimmt."
        ),
        "topics": ["data_platforms", "environment_climate", "it_security"],
        "status": "planned",
        "target_groups": ["Wasserversorgung", "Bauhöfe", "Verwaltungsmitarbeitende"],
        "value_proposition": "Wasserverluste werden reduziert und Störungen schneller behoben.",
        "indicators": [
            {"name": "Überwachte Anlagen", "unit": "Anzahl", "target": 18.0, "current": 0.0},
            {"name": "Reduktion der Wasserverluste", "unit": "%", "target": 20.0, "current": 0.0},
        ],
        "budget_eur": 190000.0,
        "funding_sources": [
            {"name": "Eigenmittel (Gebührenhaushalt Wasser)", "amount_eur": 190000.0},
        ],
        "start_date": "2025-10-01",
        "end_date": "2026-12-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Bauamt der Stadt Rauschenberg",
            "role": "Wassermeister",
            "email": "wasser@rauschenberg.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "region",
        "tags": ["Wasserversorgung", "LoRaWAN", "Leckageerkennung", "KRITIS"],
    },
    {
        "municipality_ags": "06534015",
        "title": "Öffentliches WLAN in Dorfgemeinschaftshäusern",
        "summary": (
            "Geplant war freies WLAN in allen Dorfgemeinschaftshäusern. Das Vorhaben wurde "
            "eingestellt, weil der anstehende Glasfaserausbau die Anbindung grundlegend verändert."
        ),
        "description": (
            "Ziel war es, Vereinen, Gästen und Veranstaltungen einen kostenlosen Internetzugang in "
            "den Dorfgemeinschaftshäusern zu bieten. Bei der Planung zeigte sich, dass die "
            "vorhandenen DSL-Anschlüsse für einen sinnvollen Betrieb nicht ausreichen. Mit dem "
            "kreisweiten Gigabitausbau erhalten die Gebäude ohnehin Glasfaseranschlüsse, über die "
            "WLAN später deutlich günstiger bereitgestellt werden kann. Die Gemeinde will das "
            "Vorhaben nach Abschluss des Glasfaserausbaus neu bewerten."
        ),
        "topics": ["broadband", "citizen_services"],
        "status": "cancelled",
        "target_groups": ["Vereine und Initiativen", "Bürgerinnen und Bürger", "Gäste"],
        "value_proposition": "Freier Internetzugang in den Treffpunkten der Dorfgemeinschaft.",
        "indicators": [
            {
                "name": "Ausgestattete Dorfgemeinschaftshäuser",
                "unit": "Anzahl",
                "target": 5.0,
                "current": 0.0,
            },
        ],
        "budget_eur": 45000.0,
        "funding_sources": [],
        "start_date": "2022-10-01",
        "end_date": "2023-05-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Gemeindeverwaltung Münchhausen",
            "role": "Hauptamt",
            "email": "hauptamt@muenchhausen.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["WLAN", "Dorfgemeinschaftshaus", "Eingestellt"],
    },
    {
        "municipality_ags": "06534022",
        "title": "Ehrenamtlicher Bürgerbus mit digitaler Fahrtenbuchung",
        "summary": (
            "Ein von Ehrenamtlichen gefahrener Bürgerbus soll an festen Tagen Touren zu "
            "Arztpraxen, Einkaufsmöglichkeiten und zum nächstgelegenen Bahnhof anbieten. Fahrten "
            "können telefonisch oder online gebucht werden."
        ),
        "description": (
            "In den kleinen Ortsteilen gibt es außerhalb des Schülerverkehrs nur wenige "
            "Busverbindungen. Der Bürgerbus mit acht Sitzplätzen soll feste Touren in die "
            "Nachbarorte und zu Versorgungseinrichtungen fahren. Eine einfache Buchungsplattform "
            "unterstützt die Disposition und die Einsatzplanung der ehrenamtlichen Fahrerinnen und "
            "Fahrer. Ältere Menschen können weiterhin telefonisch über das Rathaus buchen."
        ),
        "topics": ["mobility"],
        "status": "planned",
        "target_groups": ["Ältere Menschen", "Menschen ohne eigenes Auto", "Ehrenamtliche"],
        "value_proposition": (
            "Auch ohne eigenes Auto bleiben Arzt, Einkauf und Bahnhof gut erreichbar."
        ),
        "indicators": [
            {"name": "Fahrgäste pro Monat", "unit": "Fahrgäste", "target": 250.0, "current": 0.0},
            {
                "name": "Ehrenamtliche Fahrerinnen und Fahrer",
                "unit": "Personen",
                "target": 12.0,
                "current": 5.0,
            },
        ],
        "budget_eur": 95000.0,
        "funding_sources": [
            {"name": "Landesförderung Bürgerbusse", "amount_eur": 50000.0},
            {"name": "Eigenmittel", "amount_eur": 45000.0},
        ],
        "start_date": "2025-08-01",
        "end_date": "2026-07-31",
        "partner_municipalities": [],
        "contact": {
            "name": "Gemeindeverwaltung Wohratal",
            "role": "Koordination Bürgerbus",
            "email": "buergerbus@wohratal.example",
        },
        "links": [],
        "based_on_solution": None,
        "visibility": "public",
        "tags": ["Bürgerbus", "Ehrenamt", "Ländliche Mobilität"],
    },
]
