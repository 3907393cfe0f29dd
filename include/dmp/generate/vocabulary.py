"""The built-in vocabulary of synthetic web pages, so the demo runs with no data set at all.

Pages are tagged downstream from the words of their URLs, so synthetic URLs must look like the
real ones a DMP sees: real-looking news and hobby sites in English, French and Russian (Russian
sites transliterate their slugs), slugs of theme words joined by '-', numeric ids, dated paths and
search pages with a query string. A dozen words per theme and language is enough for that.
"""

from __future__ import annotations

LANGUAGES = ("en", "fr", "ru")

THEMES = (
    "automobile", "music", "horse-riding", "sports", "travel",
    "cooking", "finance", "technology", "health", "fashion",
)

# Words per theme, in the order of LANGUAGES (Russian as the transliteration its sites use).
THEME_WORDS = {
    "automobile": (
        "car suv engine electric hybrid test drive dealer sedan tesla renault diesel",
        "voiture essai moteur electrique hybride occasion berline peugeot renault citroen permis garage",
        "avto mashina dvigatel test elektromobil lada kia krossover probeg sedan dizel prodazha",
    ),
    "music": (
        "album concert tour singer rihanna festival single band rock rap playlist lyrics",
        "album concert tournee chanteuse rihanna festival clip rap stromae chanson musique zenith",
        "albom koncert tur pevica festival klip rep muzyka gruppa pesnya chart premiya",
    ),
    "horse-riding": (
        "horse racing derby jockey stable trot gallop saddle equestrian stud odds grand-national",
        "cheval course prix trot galop jockey quinte pronostic arrivee hippodrome equitation haras",
        "loshad skachki ippodrom dzhokei rysak konnyi sport sedlo konyushnya zavod priz galop",
    ),
    "sports": (
        "football match goal league transfer coach tennis nba olympics cup score player",
        "football match but ligue transfert entraineur tennis psg rugby coupe score joueur",
        "futbol match gol liga transfer trener tennis hokkei khl kubok schet igrok",
    ),
    "travel": (
        "travel flight hotel beach island city-break cruise visa backpacking resort island guide",
        "voyage vol hotel plage ile sejour croisiere visa randonnee vacances guide montagne",
        "puteshestvie bilety otel plyazh ostrov tur kruiz viza otdyh kurort gid more",
    ),
    "cooking": (
        "recipe cake chicken pasta vegan dinner baking soup salad chocolate grill dessert",
        "recette gateau poulet pates vegan diner patisserie soupe salade chocolat tarte dessert",
        "recept tort kurica pasta uzhin vypechka sup salat shokolad bliny desert pirog",
    ),
    "finance": (
        "stocks market bank rates inflation bitcoin fed earnings dividend mortgage tax shares",
        "bourse marche banque taux inflation bitcoin bce resultats dividende credit impots actions",
        "birzha rynok bank stavka inflyaciya bitkoin cb rubl dividendy ipoteka nalog akcii",
    ),
    "technology": (
        "smartphone iphone android app laptop ai chip startup software update review gadget",
        "smartphone iphone android appli ordinateur ia puce startup logiciel mise-a-jour test gadget",
        "smartfon ajfon android prilozhenie noutbuk ii chip startap programma obnovlenie obzor gadzhet",
    ),
    "health": (
        "diet fitness sleep vitamin doctor cancer heart vaccine flu pregnancy yoga wellness",
        "regime fitness sommeil vitamine medecin cancer coeur vaccin grippe grossesse yoga sante",
        "dieta fitnes son vitamin vrach rak serdce vakcina gripp beremennost joga zdorove",
    ),
    "fashion": (
        "fashion dress shoes runway vogue designer trend sneakers handbag collection beauty makeup",
        "mode robe chaussures defile vogue createur tendance baskets sac collection beaute maquillage",
        "moda plate obuv pokaz vog dizainer trend krossovki sumka kollekciya krasota makiyazh",
    ),
}

# Article URL templates per (theme, language): {id} numeric id, {slug} theme words, {date} Y/M/D.
HOSTS = {
    ("automobile", "en"): ("www.autoexpress.co.uk/{slug}/{id}", "www.caranddriver.com/news/a{id}/{slug}/"),
    ("automobile", "fr"): ("www.caradisiac.com/{slug}-{id}.htm", "www.autoplus.fr/actualite/{slug}-{id}.html"),
    ("automobile", "ru"): ("auto.ru/news/{slug}-{id}/", "www.drom.ru/info/{slug}-{id}.html"),
    ("music", "en"): ("www.billboard.com/music/{slug}-{id}/", "pitchfork.com/news/{slug}/"),
    ("music", "fr"): ("www.nrj.fr/actu/{id}-{slug}.html", "www.chartsinfrance.net/actualite/news-{id}.html"),
    ("music", "ru"): ("www.zvuki.ru/R/P/{id}/", "lenta.ru/news/{date}/{slug}/"),
    ("horse-riding", "en"): ("www.racingpost.com/news/{slug}/{id}", "www.horseandhound.co.uk/news/{slug}-{id}"),
    ("horse-riding", "fr"): ("www.geny.com/arrivee/prix-{slug}", "www.equidia.fr/courses/{date}/{slug}"),
    ("horse-riding", "ru"): ("www.ippodrom.ru/novosti/{slug}-{id}", "konnyi-mir.ru/{slug}/{id}.html"),
    ("sports", "en"): ("www.espn.com/story/_/id/{id}/{slug}", "www.skysports.com/news/{id}/{slug}"),
    ("sports", "fr"): ("www.lequipe.fr/Football/Actualites/{slug}/{id}", "rmcsport.bfmtv.com/{slug}_AV-{id}.html"),
    ("sports", "ru"): ("www.sports.ru/football/{id}.html", "www.championat.com/{slug}-{id}.html"),
    ("travel", "en"): ("www.lonelyplanet.com/articles/{slug}", "www.tripadvisor.com/ShowTopic-g{id}-{slug}.html"),
    ("travel", "fr"): ("www.routard.com/guide/{slug}/{id}.htm", "voyage.lefigaro.fr/article/{slug}_{id}"),
    ("travel", "ru"): ("www.tourister.ru/world/{slug}/{id}", "lenta.ru/articles/{date}/{slug}/"),
    ("cooking", "en"): ("www.bbcgoodfood.com/recipes/{slug}", "www.allrecipes.com/recipe/{id}/{slug}/"),
    ("cooking", "fr"): ("www.marmiton.org/recettes/recette_{slug}_{id}.aspx", "cuisine.journaldesfemmes.fr/{slug}"),
    ("cooking", "ru"): ("www.povarenok.ru/recipes/show/{id}/", "eda.ru/recepty/{slug}-{id}"),
    ("finance", "en"): ("www.ft.com/content/{slug}-{id}", "www.bloomberg.com/news/articles/{date}/{slug}"),
    ("finance", "fr"): ("www.boursorama.com/bourse/actualites/{slug}-{id}", "www.lesechos.fr/finance/{slug}-{id}"),
    ("finance", "ru"): ("www.rbc.ru/finances/{date}/{id}", "www.banki.ru/news/lenta/?id={id}"),
    ("technology", "en"): ("www.theverge.com/{date}/{id}/{slug}", "arstechnica.com/gadgets/{date}/{slug}/"),
    ("technology", "fr"): ("www.01net.com/actualites/{slug}-{id}.html", "www.numerama.com/tech/{id}-{slug}.html"),
    ("technology", "ru"): ("habr.com/ru/news/{id}/", "3dnews.ru/{id}/{slug}"),
    ("health", "en"): ("www.webmd.com/news/{date}/{slug}", "www.healthline.com/health/{slug}"),
    ("health", "fr"): ("www.doctissimo.fr/sante/{slug}", "www.santemagazine.fr/sante/{slug}-{id}"),
    ("health", "ru"): ("health.mail.ru/news/{id}-{slug}/", "lenta.ru/news/{date}/{slug}/"),
    ("fashion", "en"): ("www.vogue.com/article/{slug}", "www.elle.com/fashion/a{id}/{slug}/"),
    ("fashion", "fr"): ("www.elle.fr/Mode/{slug}-{id}", "www.marieclaire.fr/{slug},{id}.asp"),
    ("fashion", "ru"): ("www.vogue.ru/fashion/{slug}", "www.elle.ru/moda/{slug}-{id}/"),
}

# The search page of a site, by language: the query key differs (q= in the West, text= in Russia).
SEARCH_PATHS = {"en": "/search?q={query}", "fr": "/recherche?q={query}", "ru": "/search/?text={query}"}

# Where visitors come from when a session starts, by language of the page they land on: result
# pages that still carry the query ({query}: the words typed, `+` for spaces, percent-encoded)...
SEARCH_ENGINES = {
    "en": ("https://www.google.com/search?q={query}&ie=UTF-8", "https://www.bing.com/search?q={query}&form=QBLH",
           "https://search.yahoo.com/search?p={query}&fr=yfp-t", "https://duckduckgo.com/?q={query}&t=h_"),
    "fr": ("https://www.google.fr/search?q={query}&hl=fr", "https://www.qwant.com/?q={query}&t=web",
           "https://www.bing.com/search?q={query}&cc=fr"),
    "ru": ("https://yandex.ru/search/?text={query}&lr=213", "https://go.mail.ru/search?q={query}&fm=1",
           "https://www.google.ru/search?q={query}"),
}
# ... and what most searches send today: the engine's origin only (an encrypted search, no query).
ENCRYPTED_SEARCH_REFERRERS = {
    "en": ("https://www.google.com/", "https://www.bing.com/", "https://duckduckgo.com/"),
    "fr": ("https://www.google.fr/", "https://www.qwant.com/", "https://www.bing.com/"),
    "ru": ("https://yandex.ru/", "https://www.google.ru/", "https://go.mail.ru/"),
}
SOCIAL_REFERRERS = (
    "https://www.facebook.com/", "https://t.co/", "https://www.instagram.com/",
    "https://vk.com/", "https://www.reddit.com/", "https://news.google.com/",
)

FIRST_NAMES = {
    "en": "john mary james emma david olivia michael sarah daniel laura",
    "fr": "jean marie pierre camille nicolas julie thomas chloe antoine lea",
    "ru": "ivan olga sergey anna dmitry elena alexey natalia mikhail tatiana",
}
LAST_NAMES = {
    "en": "smith johnson brown taylor wilson davies evans walker wright green",
    "fr": "martin bernard dubois durand lefebvre moreau laurent simon michel garcia",
    "ru": "ivanov smirnov kuznetsov popov petrov sokolov volkov morozov novikov fedorov",
}
EMAIL_DOMAINS = {
    "en": "gmail.com yahoo.com outlook.com hotmail.co.uk icloud.com",
    "fr": "gmail.com orange.fr free.fr laposte.net hotmail.fr",
    "ru": "mail.ru yandex.ru gmail.com rambler.ru bk.ru",
}
