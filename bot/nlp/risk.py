"""Rule-based detection of messages that suggest someone may be at risk.

This backs up the `safeguarding` intent: if the classifier misses a message,
these phrases still catch it. Patterns allow common misspellings and text-speak.
It errs on the side of caution: a false alarm costs a kind message, a miss costs more.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Text-speak and contractions rewritten before matching.
_REWRITES = {
    # "don't", "hasn't": the apostrophe goes, then the rewrites below apply.
    r"\b(\w+)n't\b": r"\1nt",
    r"\bim\b": "i am",
    r"\bi'm\b": "i am",
    r"\bwanna\b": "want to",
    r"\bgonna\b": "going to",
    r"\bu\b": "you",
    r"\bdont\b": "do not",
    r"\bcant\b": "can not",
    r"\bmyslef\b": "myself",
    r"\bfrightend\b": "frightened",
    r"\bscard\b": "scared",
    r"\bwont\b": "will not",
    r"\bhavent\b": "have not",
    r"\bhasnt\b": "has not",
    r"\bdidnt\b": "did not",
    r"\b(he|she|they|i|you|we)ll\b": r"\1 will",
    r"\b(he|she|they|i|you|we)'ll\b": r"\1 will",
    r"\bmy self\b": "myself",
    r"\bmum's\b": "mum",
    r"\bmums\b": "mum",
    r"\bive\b": "i have",
    r"\bcuttin\b": "cutting",
    r"\bdad's\b": "dad",
    r"\btoching\b": "touching",
    r"\bsum ?(one|1)\b": "someone",
    r"\bhom\b": "home",
    r"\bhone\b": "home",
    r"\bdoesnt\b": "does not",
    r"\bwasnt\b": "was not",
    r"\bisnt\b": "is not",
    r"\bwats\b": "whats",
    r"\banythin\b": "anything",
    r"\bcos\b": "because",
    r"\btheres\b": "there is",
    r"\b(could|would|should|are|were|had|must)nt\b": r"\1 not",
    r"\bgivin\b": "giving",
    r"\bhes\b": "he is",
    r"\bshes\b": "she is",
}

_PERSON = (
    r"(mum|mam|mom|mother|dad|father|step ?dad|step ?mum|brother|sister|uncle|aunt|"
    r"teacher|carer|boyfriend|girlfriend|someone|somebody|he|she|they|nan|grandad)"
)
_CHILD = r"(child|son|daughter|kid|boy|girl|children|kids)"
# Who looks after a child at home (not a school or a pharmacy).
_CARER_AT_HOME = (
    r"(dad|mum|mam|he|she|father|mother|step ?dad|step ?mum|carer|partner|husband|wife|parents)"
)
# "No food (or drink) at the meeting" is about the event, not about a child going hungry.
_NOT_AT_AN_EVENT = (
    r"(?!( or (drink|drinks|water|tea|coffee))? (at|for|during) (the|this|that|our) "
    r"(event|meeting|workshop|session|conference|day|party|group|trip|course))"
)

_PATTERNS = [
    # "kill me" and "killing myself", but not "my feet are killing me".
    r"\b(kill+|kil|kll) (myself|me)\b",
    r"\b(kill+|kil|kll)ing myself\b",
    r"\bkill (herself|himself|themselves|themself)\b",
    r"\bk[my]s\b",
    # "wants to die his hair" is dye, spelt like die.
    r"\b(want|going|gonna|wish) to (die|be dead|disappear for good)\b"
    r"(?! (his|her|my|their|your) hair)",
    r"\bwants? (to )?die\b(?! (his|her|my|their|your) hair)",
    r"\b(end|ending) it (tonight|today|now)\b",
    r"\b(thinking|think) (of|about) ending it\b",
    r"\b(will|gonna|going to) (stab|kill|hurt|beat up|batter) (me|him|her|us)\b",
    r"\bonline .{0,40}\b(asked|asking|asks|wants) .{0,20}\b(photos|pics|pictures|to meet)\b",
    r"\bmeet (up )?in secret\b",
    r"\bnobody feeds me\b",
    r"\bleaves me (on my own|alone|home alone) for (days|ages|hours|the night)\b",
    r"\b(hurts|hits|beats) them\b",
    r"\b(scratching|scratch|cutting|cut) (my|her|his) arms\b",
    r"\bmarks on (her|his|my) arms\b",
    r"\bcan not take it any ?more\b",
    r"\bwish i (was|were) dead\b",
    r"\b(end|ending) (it all|my life|everything)\b",
    r"\bsu+ic+id",
    r"\bself[- ]?harm",
    r"\b(cut+|cutting|hurt+|hurting|hurtin|harm|harming) myself\b",
    r"\boverdose\b",
    r"\bhang myself\b",
    r"\bno (reason|point) (to|in) (live|living|being alive)\b",
    r"\b(better off|happier) without me\b",
    r"\bnobody would (even |really |ever )?(care|notice|miss me) if i\b",
    r"\b(hurt|hurts|hurting|hurtin|hit|hits|hitting|hittin|beat|beats|beating|kick|kicks|kicking|"
    r"punch|punches|punching|slap|slaps|slapping|strangle|strangles|choke|chokes) me\b",
    rf"\b{_PERSON} (hurt|hurts|hurting|hit|hits|beat|beats|touched|touches|touching) "
    rf"(me|my|our|us)\b",
    r"\b(touched|touching|touches) me\b",
    r"\b(abuse|abuses|abused|abusing|abusive)\b",
    r"\b(do not|not|never) feel safe\b",
    r"\bnot safe (at )?(home|hom|school)\b",
    r"\b(scared|afraid|frightened|terrified) (to go (back )?home|of (my )?" + _PERSON + r")\b",
    rf"\b(hurt|hurts|hit|hits|beat|beats|touched) (my|our) {_CHILD}\b",
    rf"\bmy {_CHILD} (said|says|told me) .{{0,30}}\b(hurt|hit|touched|abused)\b",
    r"\b(neglected|neglect)\b",
    r"\bgroom(ed|ing)\b",
    r"\b(being|been|am) (bullied|threatened|attacked)\b",
    r"\bthreaten(s|ed|ing)? to (hurt|kill|hit)\b",
    r"\brun(ning)? away from home\b",
    # Not "there was no food at the event".
    r"\b(no|never|never any) food\b" + _NOT_AT_AN_EVENT,
    r"\bkicked me out\b",
    r"\btoo many (tablets|pills)\b",
    r"\b(sleep|go to sleep) and (not|never) wake up\b",
    r"\b(feel|felt|am|i'm) unsafe\b",
    r"\b(say|says|said|told me) not to tell\b",
    # Not an accident: "she hurt herself on the trampoline".
    r"\b(hurt|hurts|hurting|harm|harming) (myself|themselves|himself|herself)\b"
    r"(?! (on (?!purpose)|at |in |playing|when |falling|doing |by acc?ident|acc?identall?y))",
    r"\bdo not want to (be here|live|be alive)\b",
    r"\b(disappear|gone) (forever|for good)\b",
    r"\bcan not go on\b",
    r"\bhate my life\b",
    r"\bthrow(s|ing)? (things|stuff) at me\b",
    r"\bmade me keep (a|it) secret\b",
    # Not "she bruises easily because of her condition".
    # Not a bruise on a knee, shin or elbow, where children bruise at play. The text
    # is also tried with repeated letters squeezed ("knee" to "kne"), hence "kne+".
    r"\bbruis(e|es|ed|ing)\b(?! easily)(?! on (his|her|my|their|both) (kne+s?|shins?|elbows?))",
    r"\bbeing (hurt|hit|abused|beaten)\b",
    r"\b(scared|afraid|frightened|terrified) of (a|the|my|our) (staff member|"
    + _PERSON[1:-1]
    + r")\b",
    rf"\b{_PERSON} is (hurting|hitting|abusing|touching) (me|my|our|us)\b",
    r"\bwants? me to send (pics|pictures|photos|nudes)\b",
    r"\bnowhere to (sleep|live|stay)\b",
    r"\b(am|i'm) not safe\b",
    # Violence between adults at home, which children see.
    r"\b(partner|boyfriend|girlfriend|husband|wife|step ?dad|step ?mum|dad|mum|father|mother) "
    r"(hits|hit|punches|punched|beats|beat|hurts|hurt|slaps|slapped|kicks|kicked|threatens|"
    r"threatened|strangles|chokes)\b",
    r"\b(hit|hurt|kicked|punched|slapped|grabbed|pushed|shoved|strangled|choked|attacked) me\b",
    r"\bthreaten(s|ed|ing)? (me|us)\b",
    # Taking a lot of medicine, jumping.
    r"\b(take|took|taken|taking|swallow|swallowed) (all|a load of|loads of|lots of|a lot of|"
    r"a bunch of|a whole|the whole|every) ?(of )?(my |the |her |his )?(pills|tablets|medicine)\b",
    r"\bjump (off|from|in front of) (a|the)\b",
    r"\bpoint (in|of)? ?(living|being alive|life|going on)\b",
    # Images and exploitation.
    r"\bsend (nudes|naked|pictures of myself|pics of myself|photos of myself)\b",
    r"\bnudes\b",
    r"\bblackmail",
    r"\b(raped|rape|raping)\b",
    r"\bsexual(ly)? (assault|assaulted|abuse|abused)\b",
    # Someone not waking, missing, followed or alone.
    r"\b(will not|won't|wont|can not|hasnt|hasn't|has not|have not|is not|isnt|isn't) "
    r"(wake|waking|woken|breathing)\b",
    r"\b(collapsed|unconscious)\b",
    rf"\b({_CHILD[1:-1]}|brother|sister|friend) (has gone|is|went|has been|been) missing\b"
    r"(?! (school|lessons?|class(es)?|out|a lot|the|his|her|some|sessions?|appointments?))",
    r"\bmissing for (\w+ )?(hours|days|a day|a night|two|three|\d+)\b",
    rf"\b{_CHILD} ran away\b",
    r"\brun away (and never|forever|for good)\b",
    r"\b(following|followed|stalking|stalks) me\b",
    r"\bwaiting outside (my|our) (house|home|school|door)\b",
    r"\bno ?(one|body) (to )?look(s|ing)? after (me|us)\b",
    r"\b(alone|on (my|their|his|her|our) own) (all )?(at night|all night|for days)\b",
    r"\b(getting|being|been) bullied every day\b",
    # Second round (bench/data/*_dev2.txt): harm described with other verbs.
    r"\b(shoves?|shoved|pushe?s|pushed|drags?|dragged|grabs?|grabbed|chokes?|choked|"
    r"whips?|whipped|smacks?|smacked|burns?|burned|burnt|shakes|shook) me\b",
    r"\b(get|gets|got|getting) (whipped|smacked|battered|beaten|punched|kicked|slapped|"
    r"dragged|strangled|choked|belted)\b(?! by the (rain|wind|weather|storm))",
    r"\bhit with a (belt|stick|cable|shoe|slipper|wire)\b",
    r"\b(by|pulled) (my|his|her) hair\b",
    r"\bthrow(s|ing|n)? (\w+ )?(\w+ )?at (me|us|mum|dad|my mum|my dad)\b",
    rf"\b{_PERSON} (broke|broken|bust|cut|burned|burnt|split) (my|our) "
    r"(arm|leg|nose|ribs?|wrist|jaw|finger|face|head|lip)\b",
    r"\b(say|said to say|told me to say|tell them) i (fell|fall|walked into)\b",
    r"\b(until|till|til) i (can not|could not|couldnt) breathe\b",
    r"\b(grabs?|grabbed|squeezes?|squeezed) (me by )?(my|the|his|her) (neck|throat)\b",
    r"\bshook (him|her|me|my (son|daughter|child|baby|brother|sister))\b",
    r"\b(comes?|came|coming) home with (marks|bruises|cuts|injuries|scratches)\b",
    # Hurting oneself, and not wanting to live.
    r"\b(burn|burning|burnt|burned|scratch|scratching|bite|biting|punch|punching|bash|bashing|"
    r"starve|starving|cut|cutting) (myself|my (arm|arms|legs?|skin|wrists?|thighs?))\b",
    r"\b(until|till|til) (it|they|i) (bleeds?|bled|bleed)\b",
    r"\b(pills|tablets|medicine) to make it (all )?stop\b",
    r"\b(want|wants|need|needs) (it|everything|the pain) (all )?to (stop|end)\b",
    r"\b(want|wish) (to not|not to) (exist|be alive|be born)\b",
    r"\bnot worth (living|being alive)\b",
    r"\bjump(ing)? (off|from|in front of) (a|the)\b",
    r"\b(do not|never) want to wake up\b",
    r"\bdone with (everything|life|it all|living|this life)\b",
    r"\bgiv(e|en|ing) up on (life|living|everything|myself)\b",
    r"\b(goodbye|suicide) (note|letter|message)\b",
    r"\bbetter (off )?if i (was|were|wasnt|was not|were not) (gone|dead|here|around)\b",
    r"\b(had|have had) enough of (life|living|everything|being alive)\b",
    r"\b(feel like|thinking of|thought about|think about|want to|going to) end(ing)? it\b",
    r"\bwant to dye\b(?! (my|his|her|their|the|it))",
    r"\bpoint (in|of) being here\b",
    # Sexual harm and images.
    r"\bsexual (things|stuff|pictures|photos|messages|videos)\b",
    r"\bporn",
    r"\b(naked|nude|explicit) (picture|pictures|pic|pics|photo|photos|video|videos|image|images)\b",
    r"\b(it is|it's|its) (our|a) (little )?secret\b",
    r"\b(in trouble|hurt|kill) .{0,20}\bif i tell\b",
    r"\b(says|saying|said) i am his (girlfriend|boyfriend)\b",
    r"\b(grown ?up|adult|older man|old man|man|woman) .{0,40}\b(loves me|i am his|i am her|"
    r"keep it (a )?secret|not (to )?tell)\b",
    r"\b(make|makes|made) me keep (a |it |the )?secrets?\b",
    r"\bsecrets? about (touching|what he does|what she does)\b",
    # Exploitation and being made to do things.
    r"\b(make|makes|made|making|force|forces|forced|forcing) (me|us) (to )?(carry|deliver|sell|"
    r"steal|hold|hide|move drugs)\b",
    r"\b(am|was|being|been|get|got) (made|forced) to (do|go|sell|carry|steal|deliver|have)\b",
    r"\b(forces|forced|makes|made) me (to )?do (things|stuff)\b",
    r"\b(county lines|cuckooing)\b",
    # Threats and weapons.
    r"\b(will|would|gonna|going to|ll) (jump|batter|stab|shank|smash|kill|hurt|beat up|beat) "
    r"(me|him|her|us|you)\b",
    r"\bsmash (my|his|her) (face|head)\b",
    r"\b(pulled|pull|pulls|held|holds) a (knife|blade|gun|weapon) (on|to|at)\b",
    r"\b(has|have|got|carrying|carries) a (knife|blade|gun|machete)\b",
    r"\b(would|will|going to|gonna|ll) kill (us|me|you|them|him|her|my)\b",
    r"\b(burn|set fire to) (the|our|my) (house|flat|home)\b",
    # Missing, away from home, nowhere to live.
    r"\b(did not|didnt|has not|hasnt|have not|not) come home\b",
    r"\b(run|ran|running|runs) away from home\b",
    r"\bi (ran|have run|run) away\b",
    r"\b(living|sleeping) (on the streets?|rough|in a car|in the park)\b",
    # Neglect.
    r"\b(have not|havent|not) eaten (since|for|all day|in)\b",
    r"\bnothing (to eat|in the (cupboards?|fridge))\b",
    r"\balways (starving|hungry)\b",
    r"\bno ?(one|body) (washes|washed|has washed|cleans|feeds|fed|takes me|cooks)\b",
    r"\b(leaves|left|leave) (me|us) .{0,40}\b(all night|for days|overnight|home alone)\b",
    r"\bno (heating|electric|electricity) (or|and) (electric|electricity|heating|food|gas)\b",
    r"\b(drunk|high|off (his|her) face) to (look after|care for|feed|pick)\b",
    r"\bforgets? to (feed|pick up|pick) (me|us)\b",
    r"\b(drunk|high) all (day|the time)\b|\bdrinks all day\b",
    r"\b(do not|does not|never|wont|will not) feed (me|us|him|her)\b",
    # Third round (bench/data/*_heldout3.txt, measured once before these were written).
    # Shut in, held down or kept in.
    r"\block(s|ed|ing)? (me|us|him|her|them) (in|inside|up)\b",
    r"\b(tape|taped|tie|tied|strap|strapped) .{0,20}\b(mouth|hands|wrists|legs|to (a|the|his|her) "
    r"(chair|bed))\b",
    r"\bwill not let (me|us) (out|leave|go out|outside|see (my|our) friends|eat)\b",
    r"\btakes? (all )?(my|our) (money|benefits)\b",
    # Medicine taken in numbers; not being around.
    r"\boverdos(e|ed|ing)\b",
    r"\b(a load|loads|lots|a lot|a bunch|a handful|handfuls|all) of .{0,15}(pills|tablets|"
    r"paracetamol)\b",
    r"\bbetter off dead\b",
    r"\b(not|will not|not going to) be (around|here) (much|for much|for) (longer|long)\b",
    r"\b(do not|not) think i (will|would) be (around|here)\b",
    r"\b(goodbye|suicide) (notes?|letters?|messages?)\b",
    r"\bkeep (cutting|hurting|harming|burning|scratching) (myself|me)?\b",
    r"\b(cuts?|cutting) .{0,20}\bdeeper\b",
    r"\bi hurt my (arms|wrists|legs|thighs)\b",
    # Grooming and exploitation: gifts, older people, silence about where things came from.
    r"\b(older|grown|adult) (men|man|boys|lads|guys|women)\b.{0,30}\b(cars?|flat|house|part(y|ies)|"
    r"meet|presents|gifts|money|vapes|drugs|alcohol)\b",
    r"\b(man|men|adult|stranger|older (boy|girl|lad)s?) .{0,30}\b(gives|gave|buys|bought|sends|"
    r"sent|waits|waiting)\b.{0,20}\b(me|her|him|them|for)\b",
    r"\b(cash|money|phones?|trainers|clothes|presents|gifts)\b.{0,40}\b(will not|not) "
    r"(say|tell (me|us)) where\b",
    r"\bgang\b.{0,30}\b(wants?|make|makes|made|told|tells|forcing|forces|forced)\b",
    r"\bcarry (a )?(knife|blade|gun|weapon|drugs|packages?)\b",
    r"\b(sell|selling|sold) (stuff|drugs|things) for (them|him|her)\b",
    # Sexual harm and image threats.
    r"\b(privates|private parts)\b",
    r"\bcomes? (in|into) (my|her|his) (room|bed|bedroom)\b.{0,20}\b(night|when)\b",
    r"\b(dad|father|step ?dad|uncle|brother|man|grandad|carer|teacher|coach|worker) "
    r"(touches|touched|touching) (her|him|them)\b",
    r"\bif i (do not|will not) send (more|them|it|another)\b",
    r"\b(share|post|show|send) (the|my|those|these)? ?(ones|pics|pictures|photos|videos|images)\b"
    r".{0,30}\b(if|unless)\b",
    # Neglect and no safe place to sleep.
    r"\bspends? (all )?(the|our|my)? ?money on (drink|drugs|alcohol|booze|gambling)\b",
    r"\b(hungry|starving) all the time\b",
    r"\b(sleep|sleeping|slept) (in (the|a) car|on the streets?|rough|outside|in the park|at a "
    r"strangers?)\b",
    # Fourth round (bench/data/*_heldout4.txt, measured once before these were written).
    # Harm to a child by someone else, marks, being shut in.
    rf"\b(pushed|shoved|threw|kicked|punched|slapped|grabbed|attacked|strangled|choked|"
    rf"dragged|smacked) (my|our) (\w+ )?{_CHILD}\b",
    r"\bmarks (round|around|on) (his|her|my|their) (wrists?|neck|arms?|legs?|face)\b",
    rf"\block(s|ed|ing)? (my|our) (\w+ )?{_CHILD} (in|inside|up)\b",
    # Not being around: letters for after, saving up tablets.
    r"\bfor (after|when) i am gone\b",
    r"\b(saved|saving|stockpiled|stockpiling|hoarding|collecting) (up )?(my |some |all my )?"
    r"(tablets|pills|medicine|meds|paracetamol)\b",
    # Secrets, grooming and strangers.
    r"\b(chats?|messages?|talks?|texts?) (have|has|must|need|needs) to (stay|be kept|be) "
    r"(a )?secret\b",
    r"\bkeep (our|the) (chats?|messages?|texts?) (a )?secret\b",
    r"\b(about|keep) our secret\b",
    r"\bif i tell (anyone|anybody|someone|my (mum|dad|mam|teacher)|the (social worker|police|"
    r"teacher|school)) .{0,60}\b(trouble|hurt|kill|secret|put in care|taken away|never see)\b",
    r"\b(asks?|asking|asked|wants?|keeps asking) (me|her|him) to (go|come) (to|back to|round to|"
    r"into) (his|her|their) (flat|house|car|place|room)\b",
    r"\b(make|makes|made|making|force|forces|forced) (me|us|her|him) (to )?watch (rude|dirty|"
    r"sex|adult|grown up) (videos|films|things|stuff|pictures)\b",
    # Neglect: not picked up, not taken to the doctor, medicine withheld.
    r"\bno ?(one|body) (has )?(picked|picks|pick|comes? to (get|pick)) (me|us|her|him) up\b",
    r"\bno ?(one|body) (takes|took|will take) (me|us|her|him) to (the )?(doctor|doctors|"
    r"dentist|hospital)\b",
    r"\b(will not|does not|never|refuses to|stopped|stops) giv(e|ing) (me|us|him|her) "
    r"(my|his|her|our) (insulin|medicine|medication|meds|tablets|inhaler)\b",
    # Exploitation, threats to family, weapons, running away.
    r"\b(make|makes|made|making) (me|us) (take|carry|deliver|drop off|hold) (parcels|packages|"
    r"bags|stuff|drugs)\b",
    r"\b(will|would|gonna|going to) (hurt|kill|stab|batter|beat up|get) (my|our) (mum|mam|dad|"
    r"family|brother|sister|nan|kids?)\b",
    r"\b(took|takes|taking|brought|brings|bringing|carried|carries|carrying) a (knife|blade|gun|"
    r"weapon|machete) (to|into|in)\b",
    # Not "run away from all this paperwork" ("al+": see the bruise rule).
    r"\b(going to|want to|will|planning to) run away (tonight|today|and|from(?! (al+ )?(this|the|"
    r"that|these) (paperwork|forms?|admin|jargon|emails|meetings?)))\b",
    r"\b(going to|gonna|will|want to) (hurt|stab|kill|beat up|batter|attack) (the|a|that|this) "
    r"(kid|boy|girl|lad|teacher|person)\b",
    # Forced marriage, FGM, radicalisation.
    r"\b(forced|arranged) (to )?marr(y|iage)\b",
    r"\b(make|makes|made|making|force|forcing|taking) me .{0,30}\bmarry\b",
    r"\bmarry (a man|a woman|someone|him|her) i (do not|have never|have not|never)\b",
    r"\b(i|she|we) will be cut\b|\bfgm\b",
    r"\b(killing|bombing|attacking) people\b",
    r"\bradicali[sz]|\bextremis[mt]",
    # Fifth round (bench/data/*_heldout5.txt, measured once before these were written).
    # Afraid of home, hiding, gone from home.
    r"\bdo not want to go (back )?home\b.{0,40}\b(because|of what|scared|afraid|frightened)\b",
    r"\bhid(e|es|ing)\b.{0,40}\bso (he|she|they|dad|mum) (does not|do not|will not|can not) "
    r"(find|see|hear|get)\b",
    r"\b(been gone|not been home|not come back|not home) since (yesterday|last night|this morning|"
    r"\w+day)\b",
    # Shut in, cruel punishment, called evil.
    rf"\b(shuts?|shut|locks?|locked) (me|us|him|her|them|(my|our) (\w+ )?{_CHILD}) in (a|the) "
    r"(\w+ )?(cupboard|cellar|shed|cage|box|toilet|garage)\b",
    r"\bkneel(ing)? on\b",
    r"\bmakes? me kneel\b|\bmakes? me (stand|sit) .{0,30}\bfor hours\b",
    r"\bcalls? me (the devil|a devil|evil|a demon|a witch|possessed)\b",
    # Hands on the neck, marks, care that harms.
    r"\bhands? (round|around|on) (my|her|his|their) (neck|throat)\b",
    r"\b(comes?|came|coming) (home|back)( from [\w ]{1,20})? with (marks|bruises|cuts|injuries|"
    r"scratches|burns)\b",
    r"\bmarks (on|round|around) (his|her|my|their) (thighs?|bottom|back|chest|private)\b",
    r"\b(left|leaves?|leaving) (me|us|him|her|them|my \w+) in (wet|dirty|soiled) (pads|nappies|"
    r"nappy|clothes|bed|sheets)\b",
    r"\b(screams?|screamed|screaming|shouts?|shouting|yells?|yelling) in (his|her|their) face\b",
    # Neglect: no food, a parent who cannot get up, medicine missing.
    r"\bnot (been |had )?any food\b" + _NOT_AT_AN_EVENT,
    r"\bno food (in the house|at home|for (\d+|two|three|a few|days))\b",
    r"\b(mum|mam|dad|mother|father) (will not|does not|can not|never) get(s)? "
    r"(out of|up from) bed\b",
    r"\b(have not|has not|not) had (my|his|her) (insulin|medicine|medication|meds|tablets|inhaler) "
    r"(for|since|in)\b",
    # Not wanting to live: plans, rope, giving things away, letters.
    r"\bnoose\b|\brope (ready|tied|up)\b|\bgot (a|the) rope\b",
    r"\bgiv(e|en|ing)( away)? all my (stuff|things|belongings)\b",
    r"\bgiv(e|en|ing) (all )?my (stuff|things|belongings) away\b",
    r"\b(wrote|written|writing|write) (letters|notes|goodbyes?) (for|to) (everyone|everybody|"
    r"my family|all of them)\b",
    r"\bpoint (in|of) anything\b",
    r"\bhow many (paracetamol|pills|tablets)\b.{0,30}\b(take|kill|die|overdose|enough)\b",
    # A parent afraid of hurting their child.
    r"\b(so|in case) i (do not|will not|can not) (lash out|hurt|hit|shake|smack)\b",
    r"\bscared i (will|might|am going to|could) (really )?(hurt|hit|shake|smack) "
    r"(him|her|them|my)\b",
    # Images, gifts, older people, threats to family.
    r"\b(wants?|asking for|asks for|asked for|keeps asking for) (pics|nudes|pictures of (me|my "
    r"body))\b",
    r"\b(share|post|show|send) (the|my|those|these) (\w+ )?(ones|pics|pictures|photos|videos|"
    r"images)\b.{0,30}\b(if|unless)\b",
    r"\bfree (vapes|alcohol|drink|drinks|drugs|weed|cigs|fags|phones?)\b.{0,40}\bif i\b",
    r"\b(go|come) (in|into|round) the back with (him|her|them)\b",
    r"\b(gives?|gave|buys?|bought) (her|him|me|them) (vodka|alcohol|booze|drugs|weed|vapes)\b",
    r"\b(1[0-5]|ten|eleven|twelve|thirteen|fourteen|fifteen)\b.{0,30}\b(boyfriend|girlfriend)\b"
    r" (is |who is |who's |aged )?([2-5]\d)\b",
    r"\b(old|older) (men|man|guys|lads)\b.{0,40}\b(money|cash|drink|drugs|vapes|part(y|ies))\b",
    r"\bknow where (i|we|you|your|my( \w+){0,2}) (live|lives)\b",
    r"\bif i (do not|will not) (sell|carry|deliver|pay)\b",
    r"\bset (me|him|her|us|you) on fire\b",
    # Forced marriage and FGM.
    r"\b(getting|get|being|be) married\b.{0,60}\b(i said no|do not want|did not want|does not care|"
    r"against my will|too young)\b",
    r"\b(abroad|back home|holidays?)\b.{0,40}\b(get|be|being|getting) cut\b(?! off)",
    r"\b(get|be|being|getting) cut like\b",
    # Sixth round (bench/data/*_heldout6.txt, measured once before these were written).
    # Hints of not being around, a place and a goodbye.
    r"\bi will not be (a problem|a burden|in (the|your|anyone's) way) (for|to) (anyone|anybody|"
    r"everyone|you|any of you|them)\b",
    r"\bi will not be (around|here) (much|for much) longer\b",
    r"\b(going|go|off|heading) to the (bridge|cliffs?|railway|train tracks|tracks|multi ?storey)\b"
    r".{0,40}\b(sorry|goodbye|bye|forgive)\b",
    r"\b(am|been|was|started|start) cutting again\b",
    # Running away, missing from care, staying with strangers.
    r"\brunning away (tonight|today|tomorrow|for good)\b",
    r"\bbags? (is |are )?packed\b.{0,40}\b(nobody|no one|never|not coming back)\b",
    r"\b(gone|missing|ran away|run away|away) from (my|the|her|his|their) (placement|care home|"
    r"foster (home|carers?|placement)|respite( placement)?|children's home|childrens home|"
    r"residential)\b",
    r"\bstaying at (some|a|an) (older )?(guy|man|bloke|lad|adult)s? (flat|house|place)\b",
    # Grooming: lifts and gifts from older people, secrets kept from parents.
    r"\b(keeps? |kept )?(offering|offers|offered) (me|her|him|them) (a )?lifts?\b",
    r"\b(buying|buys|bought|giving|gives|gave) (me|her|him|them) (vapes|drink|alcohol|weed|"
    r"drugs|cigs|money)\b.{0,60}\bmature\b",
    r"\b(messag|snapchat|texts?|texting|dms?|online|chat)\w*\b.{0,80}\bsecret from (us|me|"
    r"(his|her|my|their) (parents|mum|dad|family)|mum|dad|everyone)\b",
    r"\b(comes?|coming|came|walks?|walking|walked) in(to)? the (bathroom|shower|toilet)\b.{0,30}"
    r"\b(when|while) i am\b",
    # Exploitation and debts.
    r"\b(want|wants|wanted|asked|asking|tell|tells|told) (me|us|him|her) to (take|carry|deliver|"
    r"drop off|hold|move) (parcels|packages|bags|stuff|drugs)\b",
    r"\b(giving|gives|gave|give) me (weed|drugs|pills|coke|vapes)\b",
    r"\b(owe|owes|owed) (them|him|her)\b.{0,60}\b(work it off|or (they|he|she) will)\b",
    r"\bwork it off or\b",
    # Cutting as tradition, threats for who someone is.
    r"\bcut (me|her|us|my \w+) down there\b",
    r"\b(cut|cutting) (me|her|us|girls)\b.{0,60}\b(tradition|like they did)\b",
    r"\b(finds?|found) out (i am|that i am) (gay|lesbian|bi|bisexual|trans|queer)\b.{0,60}"
    r"\b(kill|hurt|beat|send me|throw me out|kick me out|disown|marry|or worse)\b",
    r"\b(will|would|going to) (send|throw|kick|take|lock|hurt|beat|marry) me\b.{0,40}\bor worse\b",
    # Attacks planned, strangling, held down.
    r"\b(join|joining|joined) (a|this|that|the) (group|gang|movement)\b.{0,40}\b(attack|kill|"
    r"hurt|bomb)",
    r"\b(attack|attacking|hurt|hurting) (people|innocent people)\b",
    r"\bstrangl(e|es|ed|ing) (me|him|her|them|us|mum|mam|dad|my (mum|mam|dad|mother|father|"
    r"sister|brother|son|daughter|nan|child))\b",
    r"\b(sit|sits|sat|sitting|lie|lies|lay|lying|kneels?) on (me|him|her|them)\b.{0,60}"
    r"\b(hurts?|can not breathe|crying|screaming)\b",
    # Cruel words, a carer at breaking point, fear of what was done.
    r"\bwish(es|ed)? (i|he|she|you) (was|were|had) never (been )?born\b",
    r"\b(says|calls|called|tells|told) (me|him|her) (i am |he is |she is )?(a mistake|worthless)\b",
    r"\b(nearly|almost) (threw|hit|shook|smacked|slapped|strangled|hurt|dropped) (him|her|them)\b"
    r"(?! by accident)",
    r"\bbefore i do something\b",
    r"\bwhat (he|she|they|my \w+) did to me\b",
    # Seventh round (bench/data/*_heldout7.txt, measured once before these were written).
    # Violence at home and fear of it.
    r"\b(when|once|before) i get (home|back)\b.{0,40}\b(he|she|they|dad|mum|step ?dad|step ?mum) "
    r"(will |is going to |always |might )?(shout|throw|hit|hurt|beat|kick|go for)",
    r"\bkeep quiet or (it|he|she|they) (gets?|will get|will) worse\b",
    r"\b(uses?|used|using|takes?|took|gets?|got) (the|a|his|her) (belt|cane|stick|slipper|wire|"
    r"cable) (on|to) (me|us|him|her|them|my \w+)\b",
    rf"\b{_PERSON} (gets drunk and )?(goes|went|keeps going) for (me|us|mum|her|him)\b",
    r"\b(turned|turns|showed|shows|came) up\b.{0,40}\bwith a (knife|gun|blade|weapon|machete)\b",
    r"\binjunction (ran out|has run out|ended|has ended|expired)\b",
    # FGM and forced marriage in other words.
    r"\bmade clean\b",
    r"\b(they|he|she|dad|mum|parents|uncle|aunt|family) (have |has )?(took|taken|hid|hidden|keeps?|"
    r"kept) (my|her|his) passport\b",
    r"\bsending (me|her|him) (to \w+ )?(after \w+ )?to marry\b",
    # Medicine and care withheld.
    rf"\b{_CARER_AT_HOME} (will not|does not|never|refuses to|stopped) (collect|get|pick up|order|"
    r"fetch) "
    r"(the|his|her|my) (\w+ )?(prescription|meds|medicine|medication|insulin|tablets)\b",
    rf"\b{_CARER_AT_HOME} (will not|does not|never|refuses to) let (me|him|her|them) (have|take) "
    r"(my|his|her|their) "
    r"(insulin|medicine|medication|meds|tablets|inhaler)\b",
    r"\b((husband|wife|partner|boyfriend|girlfriend|ex|dad|mum|father|mother|step ?dad|step ?mum)"
    r"\b.{0,40}|(he|she) )(will not|would not|does not|never|refuses to) let (me|us) "
    r"(take|bring|get) .{0,40}"
    r"\b(hospital|doctors?|gp|appointments?|clinic|dentist|medicine|meds)\b",
    r"\b(bins?|rubbish) for food\b|\bsame nappy\b",
    r"\b(wet|dirty|soiled) (pads?|nappy|nappies)\b.{0,20}\b(for hours|all day|all night)\b",
    r"\b(wheelchair|walker|frame|talker|communication aid) out of (his |her |their )?reach\b",
    r"\b(makes?|made|making) (me|us|him|her) sleep (in|outside)\b.{0,20}\b(shed|garage|garden|"
    r"cold|freezing)\b",
    # Eating disorders, goodbyes, not being noticed.
    r"\b(make|makes|making) (myself|herself|himself) sick\b",
    r"\b(letter|note|message)\b.{0,40}\bsorry for everything\b",
    r"\btonight is the night\b",
    r"\b(notice|care|miss me) if i ((was|were) not (here|around|alive)|was gone|"
    r"disa+p+e+a?r(ed)?)\b",
    r"\bbetter (for everyone|off) if i (just )?(disa+p+e+a?r|was gone|was not here)\b",
    r"\b(saying|said|says|to say) goodbye\b.{0,60}\b(not answering|not replying|will not answer)\b",
    r"\b(think|scared|worried|afraid) (she|he|they) (is|are) going to do something\b"
    r"(?! (about|to help|for|nice|good|great|fun|special|different|else|new))",
    r"\bno ?(one|body) knows where (he|she|they) (is|are)\b",
    # Money, grooming, exploitation, coercion.
    r"\b(says|said) i owe (her|him|them)\b",
    r"\b(keeps?|kept) touching (me|(my|her|his) (\w+'s )?(legs?|thighs?|knees?|bum|bottom|chest|"
    r"body|private))\b",
    r"\bspecial friend\b.{0,60}\bsecrets?\b",
    r"\b(gives?|gave|buys?|bought) (me|her|him) (sweets|presents|gifts|money)\b.{0,40}"
    r"\b(secrets?|not tell)\b",
    r"\bburner phones?\b|\b(bags?|wads?) of (cash|money)\b",
    r"\bolder (guy|man|lad|bloke|men|lads) ((waits?|waiting|hangs around) (for|outside)|"
    r"picks? (him|her|me) up)\b",
    r"\b(making|makes|made|make) (me|her|him|them) do (stuff|things)\b.{0,40}\b(toilets?|"
    r"bathroom|threatens?|or (he|she|they) will)\b",
    r"\bthreatens? to tell everyone\b",
    r"\bdid (things|stuff) to (me|her|him|them)\b",
    # Radicalisation.
    r"\b(need to|needs to|should|deserve to) be (wiped out|killed|exterminated|got rid of)\b",
    r"\bfight for (some|a|the|this|that) (group|cause)\b|\b(go|going) to fight (overseas|abroad)\b",
]


def normalise(text: str) -> str:
    """Lower case, plain spaces, letters repeated 3+ times squeezed, text-speak expanded."""
    lowered = text.lower().replace("’", "'")
    lowered = re.sub(r"(\w)\1{2,}", r"\1\1", lowered)
    lowered = re.sub(r"[^\w' ]+", " ", lowered)
    for pattern, replacement in _REWRITES.items():
        lowered = re.sub(pattern, replacement, lowered)
    return re.sub(r"\s+", " ", lowered).strip()


@lru_cache(maxsize=1)
def _compiled() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def suggests_risk(text: str | None) -> bool:
    """True when the text contains a phrase that suggests someone may be at risk."""
    if not text:
        return False
    normal = normalise(text)
    # "hurtinggg" and "killl": try with long letter runs cut to two and to one.
    single = re.sub(r"(\w)\1+", r"\1", normal)
    return any(_compiled().search(form) for form in (normal, single))
