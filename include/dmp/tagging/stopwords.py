"""Words that say nothing about a page's theme, per language, and URL boilerplate.

Lists are kept short and hand-checked: frequent function words of English, French and Russian
(Russian both in Cyrillic and in the Latin transliteration its sites use in slugs), plus the
pieces of URLs that every site has (www, html, index, article...). Words are stored as
`normalise_word` leaves them: lower case, accents removed. Words that are content words in
another of the languages stay out ('car' is 'because' in French, 'son' is 'sleep' in Russian).
"""

from __future__ import annotations

ENGLISH = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours out over own same she
should so some such than that the their theirs them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you
your yours yourself says say said new vs via get gets got one two may might must us
"""
FRENCH = """
a au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me meme
mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses sur ta te tes toi ton
tu un une vos votre vous c d j l m n s t y ete etre avoir est sont fait plus comme tout tous
cette cet apres avant sans sous chez entre ou donc ni
"""
RUSSIAN = """
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него
до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы
тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому
этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех
никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего них
какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой
им более всегда конечно всю между
i v vo ne chto on na ya s so kak a to vse ona tak ego no da ty k u zhe vy za by po tolko ee mne
bylo vot ot menya eshche net o iz emu kogda dazhe li esli uzhe ili ni byt byl do vam tam dlya my
kto etot eto pri posle nad cherez pro
"""
# Parts of URLs that every site has; they say nothing about the page.
URL_BOILERPLATE = """
www www1 www2 m mobile amp http https html htm shtml xhtml php asp aspx jsp cgi cms pl do action
index default main page pages content contents detail details article articles story stories
post posts item items view id ids news rss feed feeds tag tags category categories cat section
en fr ru de es it us uk com org net info biz co ltd online web site portal blog
utm source medium campaign ref src fbclid gclid amp_js print mobile_app
"""

STOP_WORDS: frozenset[str] = frozenset((ENGLISH + FRENCH + RUSSIAN).split())
BOILERPLATE: frozenset[str] = frozenset(URL_BOILERPLATE.split())
