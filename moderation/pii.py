"""Personal-information guard for Japanese text: what in a post could identify a private person.

``find_personal_info(text)`` returns the spans that look like a resident's phone number, postal
code, e-mail address, street address, My Number, or a named person with an age or a health
condition, so the author can edit them before publishing and a moderator sees why a post was held.
Pure Python and the standard library, plus SudachiPy for names without an honorific (loaded
lazily, only for a post that mentions an age, a birth date, a diagnosis or a living situation;
without it the guard still runs on its regular expressions). No Flask.

Matching runs on an NFKC-normalised copy of the text (full-width digits and letters, ＠, （）, the
ideographic space become ASCII; every dash ‐−—ー between digits becomes "-"; invisible format
characters -- zero-width space, soft hyphen, word joiner, BOM, bidi marks, Unicode category Cf --
are removed, so 090\u200b1234… is still a number), and each match is
mapped back to offsets into the ORIGINAL text, so a UI highlights exactly what the user typed.
Overlapping matches are merged; the more sensitive kind (the order of ``KINDS``) names the result.

What counts, and what deliberately does not:

* ``phone``: fixed lines in the real Japanese shapes -- 0 + area code + local exchange make 6
  digits, then 4 subscriber digits (03-1234-5678, 0182-32-1234, 01267-2-1234, 0312345678) -- and
  mobile, IP and M2M numbers (020/050/070/080/090 + 8 digits), with any dash, spaces, dots, ・,
  parentheses (03(1234)5678, (0182)32-1234) or +81 (+81-90-1234-5678, +81(0)3-1234-5678).
  Never flagged: free-dial and navi-dial numbers (0120, 0800, 0570, 0990), which belong to
  businesses. A *fixed* line the text labels as an organisation's (代表, 事務局, 〇〇課, 〇〇センター,
  窓口 … right before it, with only 電話/TEL/FAX/：/（ between, or （代表） right after it) is not
  flagged: the guard protects residents' data, and every event and case post carries such a line.
  A mobile or 050 number is flagged even when so labelled: it is somebody's own phone.
  Numbers are also read in kanji (〇九〇-一二三四-五六七八, ○八○・…, 〇九〇の一二三四の…), digit by
  digit with spaces (0 9 0 - 3 1 4 1 - 5 9 2 6) and spelled out in words after a zero word
  (ゼロキューゼロ、いちにーさんよん…, れい・はち・れい の …): 9-11 digit words in two groups or more.
* ``postal_code``: 〒 or 郵便番号 with NNN-NNNN or NNNNNNN; a bare NNN-NNNN only when a prefecture
  or a municipality follows. Organisation-labelled ones (所在地：〒…) are not flagged.
* ``email``: ordinary addresses, full-width ones and the usual disguises of the @ ([at], (at),
  {at}, (@), ★, アット(マーク), あっと, with or without brackets) and of the dot ((dot), ドット,
  " dot "); a bare " at " only after a mail label (メール：taro at example.ne.jp). Not flagged:
  government domains (*.lg.jp, *.go.jp), addresses labelled as an organisation's, and
  placeholders in instructions (例：xxxx@…). A mobile carrier's address (docomo.ne.jp,
  ezweb.ne.jp, i.softbank.jp, icloud.com …) is flagged even in an office line, like a mobile number.
* ``address``: house-level street addresses -- 丁目 followed by a number (3丁目5番12号, 三丁目5-12),
  番地 (字中村123番地, 123番地の3), N番N号, 字/大字 + name + lot number, and hyphenated numbers
  after a place name (本町2-3-4, 緑ヶ丘3-14-7; two numbers only after a 町/村/丁/通/条 or in a
  市/郡; 中央通り5-2-18 too), and flats: 5号棟302号室, 302号室, a 荘・ハイツ・コーポ・メゾン・団地 …
  name with a room number (みどり荘106, コーポ東町203). The highlighted span includes the place
  name before the number; a room in an office (市民活動センター302号室) is the office's. Not flagged: 「3丁目」
  without a house number (a district, not a home: 3丁目の集会所), numbers after document words
  (資料1-2-3, 第3-2表), and venue or office addresses labelled as such (会場：…, 所在地：…,
  〇〇センター（…）), by the same rule as phone numbers.
* ``my_number``: 12 digits (4-4-4 with spaces, hyphens, slashes, dots or ・, or run together)
  with a correct check digit (番号法施行令 第8条 and 総務省令第85号 第5条: 11 − Σ Pn×Qn mod 11, 0
  when the remainder is 0 or 1). The check discards ten in eleven random 12-digit numbers (order
  and tracking numbers). A number with a My Number word in its sentence (マイナンバー, 個人番号,
  通知カード, 本人確認 up to 40 characters before it, or right after it: 1234…← マイナンバー) is
  flagged even with a wrong check digit: the author meant one; one labelled as another number
  (注文番号, 会員番号, 整理番号 …) is not. 13-digit corporate numbers (法人番号) never match.
* ``insured_number``: a 介護保険・後期高齢者医療・国保 被保険者番号 (6-12 digits, spaced, full-width or
  in kanji) after its label (被保険者番号, 被保番, 被保険者No., 介護保険証の番号, 被保険者証の番号を控え
  ました：…), and 健康保険/国保の記号・番号 (記号 12345 番号 678). Not flagged: 事業所番号, a bare
  保険者番号 (the insurer's, public), counts (被保険者数).
* ``health_identity``, ``name_living``, ``name_age`` (and ``address``): a named private person
  within a few words (30 characters), in the same sentence, of
  - a diagnosis or care word (認知症, 要介護3, 要支援1, 脳梗塞, がん, 透析, 障害, 自閉, 誤嚥性肺炎, 服薬,
    車いす …): 要配慮個人情報 under APPI -> ``health_identity``;
  - a living situation (独居, 一人暮らし, 日中独居, 老老介護, 夫婦のみ, 二人暮らし, 生活保護/生保, 年金,
    借金, 滞納, 電気・ガスが止められ, 虐待, DV, 離婚, 死別, ひきこもり, 8050, ゴミ屋敷, 出所, 後見,
    外国籍 …) -> ``name_living``;
  - an age (82歳, (82), 八十七歳, 御年88, 年齢：93歳) or a birth date in 和暦 or 西暦 after 生年月日 /
    誕生日 or before 生まれ/生 (昭和15年3月2日, 昭和二十四年生まれ, S12.8.15生, 1939.04.22生) ->
    ``name_age``.
  - where they live below a house number (round 2): a chome or a block without a number, a
    housing estate or a block of flats (緑町二丁目, さくら団地3号棟, 旭町の市営住宅), or a town with a
    house word after it (若葉町の公民館の向かいの家) -> ``address``. Alone these are districts
    (3丁目の集会所, 団地の自治会) and are not flagged.
  Round 2 also reads more condition words (退院, 要介護認定, うつ, 視力, 耳が遠い, 熱中症, 訪問看護 …),
  living words (疎遠, 単身, 一人で暮らして, 施設入所, 特養, グループホーム, 買い物に行けない …) and ages
  (米寿, 卒寿 …, 昭和一桁生まれ, （女・91）).
  A named person is a kanji surname (and given name) with さん/様/氏/くん/ちゃん/翁/婦人/夫人/殿 or
  with an age (田中花子さん（82歳）), a katakana or hiragana name with an honorific and perhaps an
  age (シゲさん, ヤマダ ハナコ様, たけださん, ユキエさん（88）; not ケアマネさん, おばあちゃん, みなさん),
  or -- only in the text around such a word that no name with an honorific already explains, so
  the analyser runs on few posts -- a full name without an honorific found by SudachiPy (姓 + 名:
  氏名 田中一郎, 野村 カツ), or a surname it confirms in a family reference or a house (西田の
  おばあちゃん, 鈴木家, 佐藤宅; not 近所のおばあちゃん, 専門家); see
  ``moderation.pii_names``.

Public offices (decision of issue #15): the phone number, address, postal code or e-mail of a
市役所・役場, 地域包括支援センター, 社会福祉協議会, 保健所, 事務局, 〇〇課/係, センター, 公民館 … is the
office's, not a resident's, and is published on purpose. So a *fixed* line, address, postal code
or e-mail is not flagged when such an office is named earlier in the same sentence with no
private marker (本人, 自宅, 〇〇様/さん, 長男, 利用者, 宅, 世帯 …) between the office and the number,
or when the office follows it within a few words (本町1-1-1 市役所別館, …南部市民センター内). A private
label right after the number always wins (0123-45-6789（自宅）), and mobile numbers are flagged
everywhere. The rule is sentence-local: an office in one sentence does not cover the next.

Not flagged, by design: a name alone (田中さんから提案がありました); pseudonyms (Aさん, Ｂ様, 〇〇さん,
A子さん); ages as ranges or decades (80代, 65歳以上, 81.4歳); diagnosis and situation words with no
named person (要介護3以上の方, 80代の独居女性, 一人暮らしの方) or inside service, programme and law
names (認知症カフェ, 障害福祉課, がん検診, 生活保護法, 虐待防止); a word that is the topic of a talk or a
book (佐藤さんの講演「脳卒中と…」, 『老老介護を生きる』の著者); people introduced by a public or
professional title (講師, 医師, 市長, 議員, 著者, 首相 … before the name, 教授/議員/先生 after it), and the
people who help rather than the ones helped (社協の, 包括の, ボランティアの, ケアマネの, コーディネーターの,
担当, 文責: a coordinator signing their own post) -- the guard cannot know more.

Known gaps: a hiragana name right after a particle (今日はあべ様), a building without a room number
and without a named person (3丁目の市営住宅12号棟), an age or a situation in another sentence than
the name, a surname Sudachi files as a place (横手のおばあちゃん is not a name here), and anything
the rules above do not describe (bank accounts, licence plates). It is a guard that asks a person
to look, not a proof.

Round 3: the block address or postal code of a public place (公民館, 集会所, 駅, 郵便局, バス停, 交番,
消防署, 神社, 病院, 薬局, 道の駅 … before it in the sentence, or right after it) is not flagged
unless a home is meant (山田さん宅（…、公民館の隣）, …に住んでいる, …に転居); more living and health
words for memo and minutes styles (日中は一人, 連絡がつかない, 不仲, 保護申請, 雨漏り; 不穏, 眠れず,
受診, 介助が必要, 飲酒 …); insured numbers and My Numbers on the line below their label, 被保険者 No,
介保番号, 記号/番号/枝番 lines, bracketed or comma groups after a My Number word.

The public-programme rule also covers a speaker named after a label (講師：若年性認知症当事者 丹野さん),
and a house-level address followed by 付近/周辺/一帯 is an area (東町12番地付近で工事), not a home.

Round 4 (quoted speech, visit notes, nicknames): family out of touch or far away (息子とはもう十年
会ってない, 長男は海外勤務, 音信なし), nobody around (誰もいない, 話し相手がいない), 独り住まい, 自宅で一人,
money and housing words (灯油代, 家賃をためて, 居候), a visit-note header (〇〇さん宅訪問。) that
lets the next sentence speak of the person; everyday health words (膝が痛くて, 薬を飲み忘れ, 耳が
だいぶ遠く, よく転ぶ, 同じ話を何度も); katakana nicknames after a particle (「…」とハルさん), a
place-name surname in a family reference (宮下のおじいちゃん, not 東京のおばあちゃん); where a named
person lives said indirectly (栄町在住, お宅は本町の坂の上, うちは川沿いの一軒家); ages without 歳
(今年で94, 93のおばあちゃん; 50-120 only; not a pet's); e-mail in halves, without an ending
(kobayashi.y アット gmail) or as a free-mail account (Gmail：matsuda.keiko0505). The long word
lists carry a first-character look-ahead computed from the parsed pattern (``_compile_guarded``).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from moderation import pii_names

# Kinds, most sensitive first: this order also names a merged span.
KINDS = (
    "my_number",
    "insured_number",
    "health_identity",
    "name_living",
    "name_age",
    "email",
    "phone",
    "postal_code",
    "address",
)

def N_(message: str) -> str:  # noqa: N802 -- the name pybabel extracts
    """Mark a label for translation without translating it (this module needs no Flask): the
    caller shows it through gettext, e.g. moderation.holds."""
    return message


KIND_LABELS = {
    "my_number": N_("マイナンバー"),
    "insured_number": N_("被保険者番号"),
    "health_identity": N_("氏名と健康情報"),
    "name_living": N_("氏名と生活状況"),
    "name_age": N_("氏名と年齢"),
    "email": N_("メールアドレス"),
    "phone": N_("電話番号"),
    "postal_code": N_("郵便番号"),
    "address": N_("住所"),
}


@dataclass(frozen=True, slots=True)
class Match:
    """One finding: ``text == original[start:end]`` (offsets into the text as the user typed it)."""

    kind: str
    start: int
    end: int
    text: str


# --- A first-character guard for the long word lists -------------------------------------------
# Python's regex engine skips quickly only over alternatives that begin with a plain character;
# the lists below begin most alternatives with a group, so every position of a post entered every
# alternative. ``_compile_guarded`` puts a look-ahead for the characters a match can begin with
# in front of the pattern (computed from the parsed pattern: the same matches, found faster).


def _category_classes() -> dict:
    from re import _constants as c  # noqa: PLC0415 -- only at import time

    return {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s", c.CATEGORY_WORD: r"\w"}


_CATEGORY_CLASSES = _category_classes()


def _first_ranges(items) -> tuple[list, bool] | None:
    """The (lo, hi) code point ranges a match of the parsed sequence ``items`` can begin with, and
    whether it can match the empty string; None when that cannot be read (a category, any
    character, a negated set, a back-reference)."""
    from re import _constants as c  # noqa: PLC0415 -- only at import time

    ranges: list[tuple[int, int]] = []
    for op, av in items:
        if op is c.LITERAL:
            return ranges + [(av, av)], False
        if op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    ranges.append((value, value))
                elif kind is c.RANGE:
                    ranges.append(value)
                elif kind is c.CATEGORY and value in _CATEGORY_CLASSES:
                    ranges.append(_CATEGORY_CLASSES[value])  # \d, \s, \w as they are
                else:
                    return None
            return ranges, False
        if op is c.BRANCH:
            nullable = False
            for branch in av[1]:
                sub = _first_ranges(branch)
                if sub is None:
                    return None
                ranges += sub[0]
                nullable = nullable or sub[1]
            if not nullable:
                return ranges, False
        elif op is c.SUBPATTERN:
            sub = _first_ranges(av[3])
            if sub is None:
                return None
            ranges += sub[0]
            if not sub[1]:
                return ranges, False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            sub = _first_ranges(av[2])
            if sub is None:
                return None
            ranges += sub[0]
            if av[0] > 0 and not sub[1]:
                return ranges, False
        elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero-width: what follows begins the match
        else:
            return None
    return ranges, True


def _compile_guarded(pattern: str) -> re.Pattern[str]:
    from re import _parser  # noqa: PLC0415 -- only at import time

    first = _first_ranges(_parser.parse(pattern))
    if first is None or first[1]:
        return re.compile(pattern)
    klass = "".join(
        item if isinstance(item, str)
        else re.escape(chr(item[0])) if item[0] == item[1]
        else f"{re.escape(chr(item[0]))}-{re.escape(chr(item[1]))}"
        for item in sorted(set(first[0]), key=str)
    )
    return re.compile(f"(?=[{klass}])(?:{pattern})")


# --- Normalisation ------------------------------------------------------------------------------

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣", "-"))
_VOICED_MARKS = "\uff9e\uff9f\u3099\u309a"  # half-width and combining (han)dakuten join the kana
# The long-vowel mark used as a dash between digits: ０３ー１２３４ー５６７８ (same length: offsets hold).
_CHOON_AS_DASH = re.compile(r"(?<=\d)ー(?=\s?\d)|(?<=\d\s)ー(?=\s?\d)")


def _normalise(text: str) -> tuple[str, list[int], list[int]]:
    """NFKC text without format characters (Cf), and for each of its characters the [start, end)
    of its source in ``text``. The one normalisation before every screening: the PII guard,
    watched words and the duplicate check."""
    if text.isascii():
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    simple = text.translate(_ONE_TO_ONE)
    if _COMPLEX not in simple and _COMPLEX not in text:  # every character is one character
        return _CHOON_AS_DASH.sub("-", simple), list(range(len(text))), list(range(1, len(text) + 1))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _joins(text[j]):
            j += 1
        out = _normalise_char(text[i]) if j == i + 1 else _normalise_cluster(text[i:j])
        chars += out
        starts += [i] * len(out)
        ends += [j] * len(out)
        i = j
    return _CHOON_AS_DASH.sub("-", "".join(chars)), starts, ends


def _normalise_cluster(cluster: str) -> str:
    normalised = unicodedata.normalize("NFKC", cluster).translate(_DASHES)
    return "".join(ch for ch in normalised if unicodedata.category(ch) != "Cf")


# Per-character results, cached (a post repeats a few hundred distinct characters): the loop
# above costs a dictionary look-up per character instead of three unicodedata calls.
_CHAR_CACHE: dict[str, str] = {}
_JOINS_CACHE: dict[str, bool] = {}
_CACHE_LIMIT = 20_000


def _normalise_char(ch: str) -> str:
    out = _CHAR_CACHE.get(ch)
    if out is None:
        out = _normalise_cluster(ch)
        if len(_CHAR_CACHE) < _CACHE_LIMIT:
            _CHAR_CACHE[ch] = out
    return out


class _OneToOne(dict):
    """A str.translate table: a character's normalised form when it is one character on its own,
    else a marker (a character that expands, vanishes or joins the one before it)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = _normalise_char(ch)
        out = out if len(out) == 1 and not _joins(ch) else _COMPLEX
        if len(self) < _CACHE_LIMIT:
            self[code] = out
        return out


_COMPLEX = "\x00"
_ONE_TO_ONE = _OneToOne()


def _joins(ch: str) -> bool:
    """Whether ``ch`` joins the character before it (a combining mark or a (han)dakuten)."""
    joins = _JOINS_CACHE.get(ch)
    if joins is None:
        joins = ch in _VOICED_MARKS or bool(unicodedata.combining(ch))
        if len(_JOINS_CACHE) < _CACHE_LIMIT:
            _JOINS_CACHE[ch] = joins
    return joins


#: public name for other checks that need NFKC matching with offsets into the original text
normalise_with_offsets = _normalise


def normalise(text: str) -> str:
    """The normalised text alone (what two texts are compared on, e.g. duplicates)."""
    return _normalise(text)[0] if text else ""


# --- Shared pieces ------------------------------------------------------------------------------

_KANJI = "\u3005\u4e00-\u9fff"  # 々 and the CJK ideographs
_KATAKANA = "\u30a1-\u30fa\u30fc"  # ァ-ヺ and ー
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# Links are blanked out before matching: digits in a URL path are not a phone number.
_URL = re.compile(r"https?://[^\s<>\"'()「」]+")

# An organisation's own contact line: a marker, then only "glue" (電話, TEL, ：, （, another number
# of the same block …) up to the number or address. Used for phones, postal codes, e-mail, addresses.
_ORG_LABEL = re.compile(
    r"(?:代表|事務局|会場|所在地|本社|本部|支所|支部|支店|庁舎|役所|役場|窓口|受付|センター|会館|"
    r"公民館|ホール|病院|医院|クリニック|薬局|施設|事務所|協議会|社協|法人|組合|学校|図書館|体育館|"
    r"プラザ|機構|協会|財団|連合会|公社|省|庁|課|係|班|室)"
    r"(?:[\s:()\[\]【】「」・/=]|の|は|電話番号|電話|TEL|Tel|tel|FAX|Fax|fax|ファクス|ファックス|番号|"
    r"直通|内線|住所|メールアドレス|メール|アドレス|E-?mail|e-?mail|Mail|mail|"
    r"〒?\d{3}-?\d{4}|0\d{1,4}-\d{1,4}-\d{4})*$"
)
_ORG_AFTER = re.compile(r"\s?\(\s?(?:代表|事務局|直通)")
_LOOKBACK = 40


def _org_labelled(norm: str, start: int, end: int) -> bool:
    if _PRIVATE_AFTER.match(norm, end):
        return False  # 0123-45-6789（自宅）: the label after the number says whose it is
    return bool(
        _ORG_LABEL.search(norm[max(0, start - _LOOKBACK) : start])
        or _ORG_AFTER.match(norm, end)
        or _office_line(norm, start, end)
    )


# A public office or a support organisation named in the same sentence as a contact line: its
# phone, address or postal code is the office's, not a resident's -- unless a private marker
# (ご本人, 自宅, 〇〇様, 長男 …) stands between the office and the number, or right after it.
_OFFICE = re.compile(
    r"市役所|区役所|役所|役場|県庁|庁舎|包括支援センター|包括|社会福祉協議会|社協|保健センター|"
    r"保健所|福祉事務所|事務局|センター|協議会|法人|窓口|公民館|会館|(?<![放日])課(?![題金税])|"
    r"(?<![関])係(?![るわり])"
)
_PRIVATE = re.compile(
    r"本人|自宅|宅|様|さん|氏|方|携帯|家族|長男|長女|次男|次女|娘|息子|孫|姪|甥|親族|利用者|住人|"
    r"入居者|住ま|居住|家(?!族)|世帯|転居|相談者|個人"
)
_PRIVATE_AFTER = re.compile(rf"\s?\(\s?(?:ご|お)?(?:{_PRIVATE.pattern})")
_OFFICE_LOOKBACK = 80
_OFFICE_LOOKAHEAD = 24


def _office_line(norm: str, start: int, end: int) -> bool:
    lo = max(0, start - _OFFICE_LOOKBACK)
    for stop in _SENTENCE_END.finditer(norm, lo, start):
        lo = stop.end()
    before = norm[lo:start]
    last = None
    for last in _OFFICE.finditer(before):
        pass
    if last is not None and not _PRIVATE.search(before, last.end()):
        return True
    after = norm[end : end + _OFFICE_LOOKAHEAD]
    stop = _SENTENCE_END.search(after)
    after = after[: stop.start()] if stop else after
    office = _OFFICE.search(after)
    return bool(office and not _PRIVATE.search(after, 0, office.start()))


# --- Phone numbers ------------------------------------------------------------------------------

# A candidate: "+81" (optionally "(0)"), or "0" / "(0", then up to four digit groups with one
# separator each (dash, space, dot, ・ or a parenthesis). Not after a digit, dash or dot (the tail
# of an ISBN or a decimal), and not followed by a digit or "-digit" (part of a longer id).
_PHONE = re.compile(
    r"(?<![\d\-+.,])"
    r"(?P<cc>\+81[ \-]?(?:\(0\)[ \-]?)?)?"
    r"(?(cc)|\(?(?=0))"
    r"\d{1,11}(?:(?: ?- ?| |\.|・| ?\) ?| ?\( ?| ?の ?)\d{1,10}){0,3}"
    r"(?!\d|-\d)"
)
_MOBILE = ("020", "050", "070", "080", "090")  # mobile, IP and M2M: a person's own line
_BUSINESS = ("0120", "0800", "0570", "0990")  # free-dial, navi-dial, information services


def _phone_digits(groups: list[str]) -> str | None:
    """The number if ``groups`` is a real Japanese phone number shape (not a business one)."""
    digits = "".join(groups)
    sizes = [len(g) for g in groups]
    if len(digits) < 10 or digits.startswith(_BUSINESS) or digits[0] != "0" or digits[1] == "0":
        return None
    if digits.startswith(_MOBILE):
        return digits if sizes in ([11], [3, 8], [3, 4, 4]) else None
    if len(digits) != 10:
        return None
    if len(groups) == 1 or (len(groups) == 2 and sizes[-1] >= 4):
        return digits
    a, b, c = (sizes + [0])[:3]
    return digits if len(groups) == 3 and 2 <= a <= 5 and a + b == 6 and c == 4 else None


def _phones(norm: str) -> Iterable[tuple[int, int]]:
    for m in _PHONE.finditer(norm):
        offset = m.start() + len(m.group("cc") or "")
        parts = list(re.finditer(r"\d+", norm[offset : m.end()]))
        groups = [p.group() for p in parts]
        if m.group("cc") and not groups[0].startswith("0"):
            groups[0] = "0" + groups[0]
        # "090-1234-5678 12名": a group after a space may belong to the next words. Try the whole
        # run, then shorter ones that end before a space.
        for k in range(len(groups), 0, -1):
            if (
                k < len(groups)
                and norm[offset + parts[k - 1].end() : offset + parts[k].start()] != " "
            ):
                continue
            digits = _phone_digits(groups[:k])
            if digits:
                start, end = m.start(), offset + parts[k - 1].end()
                if norm[start] == "(" and norm[offset + parts[0].end()] != ")":
                    start += 1  # （090-1234-5678）: the parenthesis belongs to the sentence
                if digits.startswith(_MOBILE) or not _org_labelled(norm, start, end):
                    yield start, end
                break


# Numbers written in kanji (〇九〇-一二三四-五六七八) or digit by digit with spaces (0 9 0 - 3 1 4 1)
# are read through a "digit view" of the text: kanji numerals in a run of two or more become
# digits, spaces inside a run of single spaced digits go, and ー between digits becomes "-". The
# view keeps, for each of its characters, the index in the normalised text it came from.
_KANJI_DIGITS = str.maketrans("〇○◯零一二三四五六七八九", "0000123456789")
_VIEW_PIECE = re.compile(
    r"(?P<kanji>[〇○◯零一二三四五六七八九]{2,})"
    r"|(?P<spaced>(?<!\d)\d(?:(?: ?- ?| )\d(?!\d)){3,})"
)


def _digit_view(norm: str) -> tuple[str, list[int] | None]:
    """The digit view of ``norm`` and its index map (None when the view is ``norm`` itself)."""
    if not _VIEW_PIECE.search(norm):
        return norm, None
    chars: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _VIEW_PIECE.finditer(norm):
        chars += norm[pos : m.start()]
        index += range(pos, m.start())
        if m.group("kanji"):
            chars += m.group().translate(_KANJI_DIGITS)
            index += range(m.start(), m.end())
        else:
            kept = [(i, ch) for i, ch in enumerate(m.group(), m.start()) if ch != " "]
            index += [i for i, _ in kept]
            chars += [ch for _, ch in kept]
        pos = m.end()
    chars += norm[pos:]
    index += range(pos, len(norm))
    return _CHOON_AS_DASH.sub("-", "".join(chars)), index


# A number read aloud and written down: ゼロキューゼロ、いちにーさんよん…, れい・はち・れい の …,
# ゼロナナゼロ の 2468 の 1357. It starts with a zero word; every word is one digit.
_SPOKEN_DIGITS = {
    **dict.fromkeys(("ゼロ", "ぜろ", "れい", "レイ", "まる", "マル", "〇", "○", "◯", "零"), "0"),
    **dict.fromkeys(("いち", "イチ", "一"), "1"),
    **dict.fromkeys(("に", "ニ", "二"), "2"),
    **dict.fromkeys(("さん", "サン", "三"), "3"),
    **dict.fromkeys(("よん", "ヨン", "し", "シ", "四"), "4"),
    **dict.fromkeys(("ご", "ゴ", "五"), "5"),
    **dict.fromkeys(("ろく", "ロク", "六"), "6"),
    **dict.fromkeys(("なな", "ナナ", "しち", "シチ", "七"), "7"),
    **dict.fromkeys(("はち", "ハチ", "八"), "8"),
    **dict.fromkeys(("きゅう", "キュウ", "きゅー", "キュー", "く", "ク", "九"), "9"),
    **{str(d): str(d) for d in range(10)},
}
_SPOKEN_WORD = "|".join(sorted(_SPOKEN_DIGITS, key=len, reverse=True))
_SPOKEN_SEP = r"[\s、,・\-ー~〜の「」()]"
_SPOKEN_PHONE = re.compile(
    rf"(?:ゼロ|ぜろ|れい|レイ|まる|マル|[〇○◯零])(?:{_SPOKEN_SEP}{{0,4}}(?:{_SPOKEN_WORD}))*"
)
_SPOKEN_TOKEN = re.compile(_SPOKEN_WORD)
_ZERO_WORDS = ("ゼロ", "ぜろ", "れい", "レイ", "まる", "マル", "〇", "○", "◯", "零")


def _spoken_phones(norm: str) -> Iterable[tuple[int, int]]:
    """Phone numbers spelled out in words. The shape rules are looser than for digits (ナナナナ may
    be two sevens or four): 9 to 11 digit words after a zero word, in two groups or more."""
    if not any(z in norm for z in _ZERO_WORDS):
        return
    for m in _SPOKEN_PHONE.finditer(norm):
        tokens = [(t.end(), _SPOKEN_DIGITS[t.group()]) for t in _SPOKEN_TOKEN.finditer(m.group())]
        digits = "".join(d for _, d in tokens)
        if len(digits) < 9 or digits[1] == "0" or digits.startswith(_BUSINESS):
            continue
        size = min(len(digits), 11 if digits.startswith(_MOBILE) else 10)
        end = m.start() + tokens[size - 1][0]
        if not re.search(_SPOKEN_SEP, norm[m.start() : end]):
            continue  # one unbroken run of words: not how a number is read out
        if digits.startswith(_MOBILE) or not _org_labelled(norm, m.start(), end):
            yield m.start(), end


# --- Postal codes, e-mail, My Number ------------------------------------------------------------

_POSTAL = re.compile(
    r"(?:〒|郵便番号|郵便)\s?(?:は|:)?\s?\d{3}\s?-?\s?\d{4}(?!\d|-\d)"
    # a bare 123-4567 counts only when a prefecture or municipality follows
    rf"|(?<![\d\-.,/])\d{{3}}-\d{{4}}(?!\d)(?=\s?(?:[{_KANJI}]{{2,3}}[都道府県]|[{_KANJI}]{{1,6}}[市区町村郡]))"
)
# The "@" as people disguise it against spam: ＠ (NFKC makes it @), [at], (at), {at}, <at>, (@),
# ★, アット(マーク), あっと, in brackets or not; a bare " at " only after a mail label (below).
_AT = (
    r"(?:[\[({<【]\s?(?:@|at|AT|アット(?:マーク)?|あっと(?:まーく)?)\s?[\])}>】]"
    r"|@|★|☆|アット(?:マーク)?|あっと(?:まーく)?)"
)
# And the dot: example.ne.jp, example(dot)ne(dot)jp, example ドット ne ドット jp, example dot jp.
_DOT = (
    r"(?:\.| \. |\s?[\[({<]\s?(?:dot|DOT|ドット|どっと|てん|点|\.)\s?[\])}>]\s?|\s?(?:ドット|どっと)\s?"
    r"| (?:dot|DOT) )"
)
# the last label may be read out too: icloud ドットコム (round 4)
_TLD_SPOKEN = r"\s?(?:ドット|どっと)\s?(?:コム|こむ|ジェーピー|じぇーぴー|ネット|ねっと)"
_DOMAIN = (
    rf"(?P<domain>[A-Za-z0-9\-]+(?:{_DOT}[A-Za-z0-9\-]+)*(?:{_DOT}[A-Za-z]{{2,}}|{_TLD_SPOKEN}))"
    r"(?![A-Za-z0-9])"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*"
    rf" ?{_AT} ?{_DOMAIN}"
)
# "taro.sato at example.ne.jp": the spelled-out "at" only after a mail label (メール：…), since
# "look at example.com" is English prose.
_EMAIL_SPELLED = re.compile(
    r"(?:メール|アドレス|メアド|mail|連絡先)[^\s\d。]{0,6}?[\s:]{0,2}"
    rf"(?P<address>[A-Za-z0-9][A-Za-z0-9._%+\-]* (?:at|AT) {_DOMAIN})"
)
# Round 4: a free-mail or carrier name with no domain ending (kobayashi.y アット gmail です), an
# address given in two halves (「@」の前は ito.sachiko、後ろは gmail.com), and an account under a
# free-mail label (Gmail：matsuda.keiko0505; the name has a digit, a dot or an underscore).
_MAIL_PROVIDER = (
    r"(?:gmail|Gmail|GMAIL|yahoo|Yahoo|icloud|iCloud|outlook|Outlook|hotmail|Hotmail|docomo|ezweb|"
    r"softbank|ソフトバンク|ドコモ)"
)
_EMAIL_PROVIDER_ONLY = re.compile(
    rf"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]* ?{_AT} ?{_MAIL_PROVIDER}(?![A-Za-z0-9.\-])"
)
_EMAIL_HALVES = re.compile(
    r"(?:@|アットマーク|アット)[」』]?\s?(?:の|より)?(?:前|手前)(?:は|が|:)\s?[「『]?"
    r"(?P<local>[A-Za-z0-9][A-Za-z0-9._%+\-]*)[^。\n]{0,12}?(?:後ろ|後|あと|うしろ)(?:は|が|:)\s?[「『]?"
    r"(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)
_ACCOUNT = r"[A-Za-z][A-Za-z0-9._\-]{2,}[A-Za-z0-9]"
_EMAIL_ACCOUNT = re.compile(
    r"(?:Gmail|gmail|GMAIL|Gメール|ジーメール|Yahoo!?メール|ヤフーメール|iCloud|Outlook|Hotmail)"
    rf"(?:の)?(?:アドレス|アカウント)?\s?(?:は|:)?\s?(?P<a1>{_ACCOUNT})(?![A-Za-z0-9@])"
    rf"|(?<![A-Za-z0-9._\-])(?P<a2>{_ACCOUNT})\s?\(\s?(?:Gmail|gmail|Yahoo!?メール|iCloud)\s?\)"
)
_PUBLIC_DOMAIN = re.compile(r"(?:^|\.)(?:lg|go)\.jp$", re.IGNORECASE)
# Placeholders in instructions: 例：xxxx@example.com, （例）yamada@…, your.name@…
_EXAMPLE_BEFORE = re.compile(r"(?:例|例えば|e\.g\.|sample|サンプル)[\s:)]{0,3}$")
_EXAMPLE_LOCAL = re.compile(r"(?:x+|X+|\*+|your[._-]?name|name|sample)[ @\[(]")


# Mobile carriers' mail: a person's own phone, like a mobile number -- flagged even in an office
# line.
_CARRIER_DOMAIN = re.compile(
    r"(?:^|\.)(?:docomo\.ne\.jp|ezweb\.ne\.jp|au\.com|softbank\.ne\.jp|i\.softbank\.jp|"
    r"ymobile\.ne\.jp|y-mobile\.ne\.jp|willcom\.com|rakuten\.jp|icloud\.com|me\.com)$",
    re.IGNORECASE,
)


def _domain(m: re.Match[str]) -> str:
    """The domain as a domain: example(dot)ne ドット jp -> example.ne.jp."""
    return re.sub(_DOT, ".", m.group("domain"))


def _placeholder(norm: str, start: int, address: str) -> bool:
    before = norm[max(0, start - 8) : start]
    return bool(_EXAMPLE_BEFORE.search(before) or _EXAMPLE_LOCAL.match(address))


def _emails(norm: str) -> Iterable[tuple[int, int]]:
    for m in _EMAIL.finditer(norm):
        domain = _domain(m)
        if _PUBLIC_DOMAIN.search(domain) or _placeholder(norm, m.start(), m.group()):
            continue
        if _CARRIER_DOMAIN.search(domain) or not _org_labelled(norm, *m.span()):
            yield m.span()
    for m in _EMAIL_SPELLED.finditer(norm):
        domain = _domain(m)
        if not _PUBLIC_DOMAIN.search(domain):
            yield m.span("address")
    if "@" in norm or "アット" in norm or "あっと" in norm or "★" in norm or "☆" in norm:
        for m in _EMAIL_PROVIDER_ONLY.finditer(norm):
            if not _placeholder(norm, m.start(), m.group()) and not _org_labelled(norm, *m.span()):
                yield m.span()
        for m in _EMAIL_HALVES.finditer(norm):
            if not _PUBLIC_DOMAIN.search(m.group("domain")) and not _org_labelled(norm, *m.span()):
                yield m.start("local"), m.end("domain")
    for m in _EMAIL_ACCOUNT.finditer(norm):
        name = m.group("a1") or m.group("a2")
        span = m.span("a1") if m.group("a1") else m.span("a2")
        if re.search(r"[\d._]", name) and not _placeholder(norm, span[0], name + " "):
            if not _org_labelled(norm, *span):
                yield span


# 12 digits in three groups of four, with one separator each (space, -, /, ., ・) or none.
_MY_NUMBER = re.compile(
    r"(?<![\d\-.,/])\d{4}(?: ?[ \-/.・] ?)?\d{4}(?: ?[ \-/.・] ?)?\d{4}(?!\d|-\d|[円万億人名件%])"
)
# A My Number word in the same sentence, before the number (up to 40 characters) or just after it
# (123456789012 ← マイナンバー): the author meant one, whatever its check digit.
_MY_NUMBER_WORD = r"(?:マイナンバー|マイナ番号|個人番号|通知カード|本人確認)"
_MY_NUMBER_LABEL = re.compile(rf"{_MY_NUMBER_WORD}[^。\n]{{0,40}}(?:\n[^。\n\d]{{0,8}})?$")
# After a label only: groups in brackets or with commas or underscores (「1234」「5678」「9012」).
_MY_NUMBER_LOOSE = re.compile(
    r"(?<![\d\-.,/])\d{4}(?:[」)]?\s?[,_、]?\s?[「(]?)\d{4}(?:[」)]?\s?[,_、]?\s?[「(]?)\d{4}(?!\d)"
)
_MY_NUMBER_LABEL_AFTER = re.compile(rf"[^。\n\d]{{0,16}}?{_MY_NUMBER_WORD}")
_OTHER_NUMBER_LABEL = re.compile(
    r"(?:注文|追跡|伝票|問い?合わ?せ|受付|会員|法人|口座|管理|整理|契約|顧客|証券|製造|商品|お客様)"
    r"(?:番号|No\.?|コード)[^\d。\n]{0,4}$"
)


def my_number_check_digit(first_11: str) -> int:
    """The check digit of a My Number (個人番号) from its first 11 digits (総務省令第85号 第5条)."""
    # Pn is the n-th digit counted from the right; Qn = n + 1 for n <= 6, n - 5 for n >= 7.
    total = sum(int(first_11[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _my_numbers(norm: str) -> Iterable[tuple[int, int]]:
    for m in _MY_NUMBER.finditer(norm):
        before = norm[max(0, m.start() - 48) : m.start()]
        if _OTHER_NUMBER_LABEL.search(before):
            continue  # 注文番号 1234-5678-9018: labelled as something else
        digits = re.sub(r"\D", "", m.group())
        if (
            _MY_NUMBER_LABEL.search(before)
            or _MY_NUMBER_LABEL_AFTER.match(norm, m.end())
            or my_number_check_digit(digits[:11]) == int(digits[11])
        ):
            yield m.span()
    for m in _MY_NUMBER_LOOSE.finditer(norm):
        if _MY_NUMBER_LABEL.search(norm, max(0, m.start() - 48), m.start()):
            yield m.span()


# --- Insured numbers -----------------------------------------------------------------------------

# 介護保険・後期高齢者医療・国保の被保険者番号 (8 or 10 digits), read after their label: 被保険者番号,
# 被保番, 被保険者No., 介護保険証の番号, 介護保険被保険者証の番号を控えました：… A few words may stand
# between the label and the number; spaces inside the number are fine. Not flagged: 事業所番号,
# 保険者番号 (the insurer's, public) and numbers too short to be one.
_INSURED_LABEL = (
    r"(?:被保険者(?:証)?(?:の)? ?(?:番号|No\.?|NO\.?|№|ナンバー)|被保番|被保険者証|介保(?:番号|No)|"
    r"(?:介護保険|医療保険|健康保険|国民健康保険|国保|後期高齢者医療|後期高齢|保険証)(?:被保険者証|証)?"
    r"(?:の|[、,] ?)?(?:番号|No\.?|№))"
)
# Round 3: a few words, a digit count in brackets (（10桁）) and one line break (the number on
# the next bullet line: 被保険者番号は下記のとおり。\n0 0 1 2 …) may stand between.
_INSURED = re.compile(
    rf"{_INSURED_LABEL}(?:\(\d{{1,2}}桁\)|[^\d。\n]){{0,16}}?(?:。?\n[^\d。\n]{{0,6}}?)?"
    r"(?P<number>\d(?:[ \-]?\d){5,11})(?![\d年月日歳円人件])"
)
# 健康保険・国保の記号・番号: 記号 12345 番号 678, 記号：東あ12 番号：3456 (after an insurance word).
_SYMBOL_NUMBER = re.compile(
    r"(?:保険|国保|社保|けんぽ|共済)[^。\n]{0,20}?\n?[^。\n]{0,4}?記号(?:・番号)?[\s:]*[^\s。、]{1,8}?\s?"
    r"番号[\s:]*\d{1,8}(?:\s?枝番[\s:]*\d{1,3})?"
)


def _insured_numbers(view: str) -> Iterable[tuple[int, int]]:
    for m in _INSURED.finditer(view):
        yield m.start(), m.end()
    for m in _SYMBOL_NUMBER.finditer(view):
        yield view.index("記号", m.start()), m.end()


# --- Street addresses ---------------------------------------------------------------------------

_NUM = r"(?:\d{1,4}|[〇一二三四五六七八九十百千]{1,5})"  # arabic or kanji numerals
_ADDRESS = _compile_guarded(
    # 3丁目5番12号, 三丁目5-12, 5丁目1-10, 3丁目12 (but not 3丁目 alone, nor 1丁目2丁目)
    rf"{_NUM}丁目 ?{_NUM}(?! ?丁目)(?: ?(?:番地の?|番|-|の) ?{_NUM}(?!丁目)){{0,2}}(?:番地|番|号)?"
    rf"|{_NUM}番地(?: ?(?:の|-)? ?{_NUM}号?)?"  # 123番地, 123番地の3, 5番地12
    rf"|{_NUM}番 ?{_NUM}号"  # 5番12号
    # 字中村12-3, 字浅舞238 (a lot number after 字 needs no 番地); not 文字数1200, 数字123
    rf"|(?<![文数赤黒漢名活十習誤脱題太点])大?字(?![数幕体])[{_KANJI}ヶ]{{1,6}}?\d{{1,4}}"
    r"(?:番地?|-\d{1,4}|(?![\d年月日時分円人名件回歳%.,]))"
    # a flat: 5号棟302号室, 3号棟201, 302号室; 荘・ハイツ・コーポ … with a room number (みどり荘106)
    r"|\d{1,3} ?号棟 ?\d{2,4}(?:号室|号)?|(?<![\d\-])\d{3,4} ?号室"
    rf"|(?:荘|ハイツ|コーポ|メゾン|ハイム|マンション|アパート|レジデンス|団地|住宅)[{_KANJI}{_KATAKANA}]{{0,6}}"
    r" ?[A-Z]?-?\d{3,4}(?:号室|号)?(?![\d年月日時分円人名件回歳%.,:])"
)
# Hyphenated chome-ban-go (本町2-3-4): judged by the place name before it, in _addresses.
_HYPHENATED = re.compile(
    r"(?<![\d\-.,/:])(?:\d{1,4}(?:-\d{1,4}){1,3}|\d{1,4}(?:の\d{1,4}){2,3})"  # 2-3-4, 8の2の15
    r"(?![\d年月日時分秒円人名件回歳%:~〜]|-\d|\.\d)"
)
_PLACE_CHARS = f"[{_KANJI}{_KATAKANA}ヶ0-9]"
_PLACE_BEFORE = re.compile(rf"(?:{_PLACE_CHARS}|通り){{1,24}} ?$")  # 中央通り5-2-18
_NOT_A_PLACE = re.compile(
    r"(?:資料|図|表|別表|別紙|様式|第|号|条|項|頁|ページ|版|期|回|章|節|問|番号|令和|平成|昭和|年度|年|月|日)$"
)
_VENUE_AFTER = re.compile(
    r"\s?(?:の|にある)\s?[^\s、。,()]{0,10}?(?:センター|会館|公民館|ホール|庁舎|役所|役場|病院|体育館|"
    r"図書館|学校|集会所|事務所)"
)


# 12番地付近, 3丁目5番の周辺: an area, not a house.
_AREA_AFTER = re.compile(r"\s?(?:の)?(?:付近|周辺|一帯|界隈|近辺)")


def _is_house_number(place: str, numbers: list[str]) -> bool:
    """Whether hyphenated ``numbers`` after the word ``place`` read as chome-ban-go."""
    if _NOT_A_PLACE.search(place) or not re.search(f"[{_KANJI}{_KATAKANA}]", place):
        return False  # 資料1-2-3, p.12-15
    first = numbers[0]
    if first.startswith("0") or re.fullmatch(r"(?:19|20)\d\d", first):
        return False  # a phone number or a year (2024-2026年度)
    if len(numbers) == 2:  # 本町2-3, 横手市中央5-12; but not 区分2-1
        return bool(re.search("[町村丁通条甲乙丙]$", place) or re.search("[市郡]", place))
    return len(first) <= 3


# Round 3: public places with a block address (中央公民館（本町3丁目5番地）, 会場：緑町集会所 緑町二丁目
# 4番地, 3丁目5番地のバス停前, 東町1丁目4番地 さくら薬局の隣に…). Only a private residence is
# personal data: the address of a facility, a station, a shop or a shrine is published. The place
# word stands before the address in the same sentence (no private marker between), or right after
# it; a place used as a landmark for a house (郵便局の裏の家, 駅の近くの本町2-3-4に住む) is not one.
_PUBLIC_PLACE = re.compile(
    r"公民館|集会所|集会場|会館|市民センター|センター|体育館|図書館|分館|博物館|美術館|資料館|"
    r"郵便局|(?<![前])駅(?![前通])|駅前広場|バス停|停留所|駐車場|交番|警察署|消防署|分署|消防団|"
    r"市役所|区役所|役場|支所|出張所|庁舎|跡地|病院|医院|クリニック|診療所|薬局|歯科|学校|"
    r"小学校|中学校|高校|保育園|保育所|幼稚園|こども園|児童館|特養|老人ホーム|デイサービス|施設|"
    r"神社|寺|教会|公園|広場|グラウンド|運動場|道の駅|スーパー|商店|店|銀行|信用金庫|農協|JA|"
    r"ホール|プラザ|会場|避難所|ホテル|旅館|工場|事務所|コンビニ|パン屋|本屋|カフェ|食堂|レストラン"
)
_LANDMARK_AFTER = re.compile(
    r"[^\s、。,]{0,4}?の?(?:裏|隣|向かい|横|近く|そば|斜め|奥|並び)|の?(?:すぐ|少し|ちょっと)?先(?![:：])"
)
_HOME_AFTER = re.compile(
    r"[^。\n]{0,14}?(?:に住|に在住|で暮ら|に暮ら|の家(?!族)|のお宅|宅(?![地配])|自宅|アパート|"
    r"に引っ越|に転居)"
)
_PUBLIC_PLACE_AFTER = re.compile(
    rf"[\s)、,]{{0,2}}(?:の|にある|にて|で|内)?\s?[^\s、。,()]{{0,12}}?(?:{_PUBLIC_PLACE.pattern})"
)


def _public_place(norm: str, start: int, end: int) -> bool:
    """Whether the address at ``norm[start:end]`` is a public place's (see _PUBLIC_PLACE)."""
    if _PRIVATE_AFTER.match(norm, end) or _HOME_AFTER.match(norm, end):
        return False
    lo = max(0, start - _OFFICE_LOOKBACK)
    for stop in _SENTENCE_END.finditer(norm, lo, start):
        lo = stop.end()
    if _PRIVATE.search(norm, max(lo, start - 6), start):
        return False  # 山田さん宅（本町3丁目5番地、公民館の隣）
    last = None
    for last in _PUBLIC_PLACE.finditer(norm, lo, start):
        pass
    if (
        last is not None
        and not _LANDMARK_AFTER.match(norm, last.end())
        and not _PRIVATE.search(norm, last.end(), start)
    ):
        return True
    after = _PUBLIC_PLACE_AFTER.match(norm, end)
    if not after or _PRIVATE.search(after.group()):
        return False
    # 本町3丁目5番地（郵便局の裏）: a landmark for a house; …さくら薬局の隣にスーパー: still a place
    landmark = _LANDMARK_AFTER.match(norm, after.end())
    return not landmark or bool(_PUBLIC_PLACE.search(norm, landmark.end(), landmark.end() + 12))


def _addresses(norm: str) -> Iterable[tuple[int, int]]:
    spans = [m.span() for m in _ADDRESS.finditer(norm)]
    for m in _HYPHENATED.finditer(norm):
        place = _PLACE_BEFORE.search(norm, max(0, m.start() - 25), m.start())
        if place and _is_house_number(place.group().rstrip(), re.split("[-の]", m.group())):
            spans.append(m.span())
    for number, end in spans:
        # Highlight the place name too: 横手市駅前町3丁目5番12号, not just 3丁目5番12号.
        place = _PLACE_BEFORE.search(norm, max(0, number - 25), number)
        start = place.start() if place and not place.group().endswith(" ") else number
        if _VENUE_AFTER.match(norm, end) or _AREA_AFTER.match(norm, end):
            continue
        if not _HOME_AFTER.match(norm, end) and (
            _org_labelled(norm, start, end) or _public_place(norm, start, end)
        ):
            continue  # an office's or a public place's, unless a home follows (…に転居された)
        if start == number or not _OFFICE.search(norm, start, number):  # センター302号室
            yield start, end


# --- Named people with an age or a health condition ---------------------------------------------

_NAME = (
    rf"[{_KANJI}]{{1,6}}"  # a kanji surname (a longer run is trimmed in _person_name)
    rf"(?: ?[{_KANJI}{_KATAKANA}]{{1,4}}"  # and a given name: 花子, ハナ, ミツ子
    rf"| ?(?![のはがをにへとでもやか])[ぁ-ゖ][ぁ-ゖ{_KANJI}]{{1,3}})?"  # or よし子
)
_HONORIFIC = (
    r"(?:さん(?![ぽま]|ご(?!夫婦|家族|一家|兄弟|本人|主人))|さま|様(?![々式子相態])|氏(?!名)|くん|君(?!が|たち)|ちゃん|翁|婦人|夫人|"
    r"刀自|殿(?![堂様下]))"
)
_PERSON = _compile_guarded(
    r"(?<![A-Za-z0-9〇○●◯△□×*])"  # A子さん, ○○様: pseudonyms
    rf"(?P<name>{_NAME})"
    # 田中さん, or a bare name with an age: 田中花子（82歳）, 佐藤一夫、85歳
    rf"(?: ?(?P<hon>{_HONORIFIC})|(?= ?\(\d{{1,3}} ?[歳才]?[)・、,]| ?[、,] ?\d{{1,3}} ?[歳才]))"
    r"(?P<age> ?\((?P<age_n>\d{1,3}) ?[歳才]?[^()]{0,10}\))?"
)
# Words that end a kanji run before the honorific but are not a name: 民生委員さん, 利用者様,
# 市長田中氏 (the name is what follows them), 担当者様 (nothing follows: not a person).
_ROLE = re.compile(
    r"委員|職員|会員|社員|隊員|議員|相談員|支援員|推進員|専門員|調査員|指導員|配達員|員|者|課|係|局|"
    r"会長|市長|町長|村長|区長|部長|課長|係長|所長|園長|館長|施設長|理事長|社長|店長|院長|校長|座長|"
    r"議長|知事|大臣|代表|担当|主任|主事|看護師|医師|保健師|薬剤師|講師|技師|療法士|福祉士|栄養士|"
    r"衛生士|弁護士|先生|教授|男性|女性|家族|親族|遺族|市民|町民|村民|区民|県民|住民|地区|町内|会社|"
    r"法人|組合|協議会|事務局|学校|病院|医院|薬局|銀行|商店|店|屋|先|運転手|助手|選手|世話人|管理人|"
    r"代理人|後見人|保証人|個人|友人|知人|隣人|住人|老人|本人|主人|他人|大人|御|今日|昨日|明日|先日|"
    r"本日|今回|前回|次回|先月|今月|来月|昨年|今年|来年|先週|今週|来週|毎朝|毎日|最近|現在"
)
# Whole words before an honorific that are not names: family (お母さん), 皆様, 同様, 多様, ご苦労様 …
_NOT_NAMES = frozenset(
    re.findall(
        r"\S+",
        """
        皆 各 各位 奥 神 仏 王 姫 殿 父 母 娘 息子 嫁 孫 兄 姉 弟 妹 祖父 祖母 叔父 叔母 伯父 伯母 夫 妻
        旦那 親 親御 長男 長女 次男 次女 三男 姪 甥 客 来賓 施主 業者 患者 利用 当事 大家 近所 隣 先祖
        地蔵 同 多 異 模 仕 有 一 今 外 子 某 両 諸 故 貴 彼 赤 名 何名 苦労 世話 陰 馳走 愁傷
        宮 御 拝 首相 総理 大統領 大使 公使 貴 老
        """,
    )
)
# People introduced by a public or professional title are public figures in this context.
_PUBLIC_TITLE = re.compile(
    r"(?:講師|講演者|登壇者|司会|座長|医師|専門医|教授|准教授|博士|市長|町長|村長|区長|知事|大臣|議員|"
    r"議長|栄養士|弁護士|著者|作家|首相|総理|大統領|社長|監督|選手|俳優|女優|歌手|アナウンサー|"
    r"評論家|研究者|学長|院長|園長|校長|"
    # staff, volunteers and the author: the people who help, not the ones helped
    r"社協|包括|市役所|役場|事務局|コーディネーター|コーディネータ|CSW|SC|ボランティア|ケアマネ|"
    r"ケアマネジャー|相談員|職員|担当|課長|部長|係長|所長|センター長|局長|会長|理事長|代表|文責|記入者|"
    r"投稿者|報告者|作成者)\s?(?:の|は|:|、|,)?\s?$"
    # a programme: 講師：若年性認知症当事者 丹野さん, ゲスト 山本さん
    r"|(?:講師|講演者|登壇者|発表者|演者|話題提供|ゲスト|出演|司会|パネリスト)\s?:[^、。,\n:]{0,16}$"
)
# An age right after the person, or a few words on in the same clause (さんは今年で101歳).
_AGE_AFTER = re.compile(
    r"[^、。,()\d]{0,6}?[、,]? ?(\d{1,3}) ?[歳才](?!以上|以下|未満|から|まで|代|前後|程度)"
)
_AGE_BEFORE = re.compile(r"(\d{1,3}) ?[歳才](?:の|で|を迎えた|になる|になった|になられた|、|,)? ?$")
_DIAGNOSIS = _compile_guarded(
    r"(?:若年性認知症|認知症|アルツハイマー|レビー小体|物忘れ|もの忘れ|徘徊|せん妄|"
    r"要介護 ?[1-5一二三四五]|要支援 ?[12一二]|要介護度|"
    r"脳梗塞|脳出血|脳卒中|くも膜下出血|心筋梗塞|心不全|狭心症|"
    r"がん(?![ばこもきじ])|癌|ガン(?![ダマジ])|悪性腫瘍|白血病|"
    r"統合失調症|うつ病|鬱病|躁うつ|抑うつ|うつ状態|双極性障害|依存症|精神疾患|失語症|難聴|麻痺|まひ(?![ろる])|"
    r"(?<!通信)(?<!回線)(?<!電波)(?<!システム)"  # 障害 of a person, not of a network
    r"(?:身体|知的|精神|発達|視覚|聴覚|高次脳機能)?障(?:害|がい|碍)(?:者保健福祉手帳|者手帳)?|療育手帳|"
    r"人工透析|透析|糖尿病|パーキンソン病|(?<![A-Za-z])(?:ALS|HIV)(?![A-Za-z])|難病|"
    r"寝たきり|胃ろう|胃瘻|在宅酸素|人工呼吸器|結核|肝炎|骨折|入院|手術|余命|末期(?!限)|"
    r"自閉|(?<![A-Za-z])(?:ASD|ADHD|COPD|MCI)(?![A-Za-z])|てんかん|発作|喘息|高血圧|腎不全|肝硬変|"
    r"肺炎|白内障|緑内障|失明|全盲|弱視|褥瘡|床ずれ|嚥下|誤嚥|妄想|幻視|幻聴|後遺症|切断|救急搬送|"
    r"持病|闘病|通院|服薬|診断|治療中|リウマチ|骨粗しょう症|ペースメーカー|ストーマ|人工肛門|"
    r"インスリン|車いす|車椅子|補聴器|自殺|自死|希死念慮|リストカット|摂食障害|精神的に不安定|"
    # round 2: more conditions, care levels without a number, senses, treatments, emergencies
    r"要介護認定|介護認定|要介護状態|要支援状態|認知機能|認知の低下|ボケ(?![るた])|"
    r"うつ(?=[でとがのにはを、。)]|状態|症状|っぽ)|不眠|睡眠薬|アルコール依存|"
    r"退院|入退院|熱中症|脱水|救急車|救急外来|転倒|圧迫骨折|大腿骨|抗がん剤|化学療法|放射線治療|"
    r"緩和ケア|ホスピス|看取り|終末期|点滴|酸素吸入|心臓病|心臓の|腎臓病|肝臓病|脳腫瘍|"
    r"視力|目が見えな|目が見えにく|視覚障|耳が遠|聞こえにく|聞こえな|歩行困難|歩行器|杖歩行|"
    r"おむつ|オムツ|失禁|訪問看護|往診|在宅医療|リハビリ|既往歴|病歴|障害者手帳|身障手帳|"
    r"精神科|心療内科|メンタル不調|適応障|パニック障|PTSD|ひきつけ|けいれん|痙攣|感染症|"
    r"コロナ(?:に|陽性|感染)|インフルエンザ(?:に|で)|妊娠|流産|不妊|"
    # round 3: distress and sleep, senses and mobility, drinking, swallowing, tests, daily living
    r"不穏|眠れ(?:な|ず)|寝(?:られ|れ|付け)(?:な|ず)|落ち着か(?:な|ず)|落ち着きがな|落ち込|ふさぎ込|"
    r"気分が(?:沈|落ち|すぐれ)|死にた|消えたい|精神的に(?:参|まい|追い詰)|カウンセリング|"
    r"血圧(?:が|は)?(?:高|低|\d)|低血圧|血糖|HbA1c|むくみ|むくん|息切れ|動悸|めまい|しびれ|"
    r"(?:膝|腰|足|背中|胸|頭)(?:の)?(?:痛|が痛)|(?:心臓|腎臓|肝臓|肺|胃|腰|膝|足|目|耳)が悪|"
    r"目が(?:ほとんど|あまり|よく)?見え(?:な|ず|にく)|耳が(?:ほとんど|あまり|よく)?聞こえ(?:な|ず|にく)|"
    r"筆談|足腰が弱|足腰の弱|歩けな|外出困難|飲酒|酒量|アル中|お酒(?:の量|が止め|をやめられ)|"
    r"飲み込み|のみこみ|ペースト食|きざみ食|刻み食|とろみ|食欲(?:が|も)?(?:な|ない|不振|低下)|"
    r"救急(?:車)?で運ばれ|搬送され|発達(?:に|の)遅れ|療育(?!手帳)|HDS-R|MMSE|長谷川式|"
    r"内服|服用|処方|(?<![A-Za-z])I?ADL(?![A-Za-z])|(?:介助|見守り)が?(?:必要|要)|全介助|一部介助|"
    r"要介助|介助(?:で|を受け|され)|骨を折|"
    r"(?:もの忘れ|物忘れ|認知症|精神科|心療内科)外来(?:を|に|で|の)?(?:受診|通院|予約|初診|紹介)|"
    r"(?:かかりつけ|病院|医者)(?:を|に|へ)?受診|受診(?:済|し|させ|を勧|勧)|"
    # round 4: everyday words for symptoms in quoted speech (「膝が痛くて」, 「最近よく転ぶ」),
    # medicines, sleep, senses, eating, memory, minor illness and body parts
    r"(?:血圧|心臓|糖尿|睡眠|胃|痛み止め|精神|抗うつ|認知症|心の)の薬|薬を(?:飲み忘|のみ忘|飲んで|飲んでも|"
    r"飲まな|飲まず|欠かさ|手放せ)|薬の(?:数|量|飲み忘|管理)|"
    r"(?:夜中|夜)に(?:何度も)?目が覚め|何度も目が覚め|寝つけ|寝つか|寝付か|"
    r"(?:耳|目)が(?:だいぶ|かなり|少し|すっかり|ほとんど|だんだん|最近|急に)?(?:遠|悪)|"
    r"目が(?:かすん|かすむ|かすみ|霞|しょぼしょぼ)|字が(?:読め|書け)(?:な|ず)|手が震え|手の震え|震えが(?:止|あ|出)|"
    r"(?:腰|背中)が曲が|食が細|(?<!我)痩せ(?:て|た|細)(?!我慢)|体重が(?:減|落)|"
    r"息が(?:苦し|切れ|上が)|息苦し|同じ(?:話|こと)を何度も|何度も同じ(?:話|こと)|"
    r"入れ歯|噛めな|かめな|歯が(?:痛|悪|な)|"
    r"歩くの(?:も|が)(?:やっと|つら|辛|大変|しんど|難し)|足取りが(?:おぼつかな|重|不安定)|おぼつかな|"
    r"ふらつ|よく転|転びやす|転ん(?:で|だ)|転倒|心の病|精神的な病|療養(?:中|して|し)|静養|"
    r"風邪(?:を|で|気味)|寝込|熱が(?:出|あ|下が|続)|発熱|トイレが(?:間に合わ|近)|尿漏れ|頻尿|便秘|"
    r"(?:胃|お腹|おなか|体|腰|膝|足|心臓|目|耳|肝臓|腎臓|頭|胸)の(?:調子|具合)が(?:悪|よくな|良くな|すぐれ|おかし)|"
    r"体調(?:を崩|不良|が悪|がすぐれ|が優れ|を壊)|具合が悪|気分が悪|体がだる|頭が(?:ぼーっと|ぼんやり|重|痛|ふらふら)|頭痛|"
    r"(?:手首|足首|肩|首|腕|手|指|股関節|ひざ|膝|腰|足|背中)(?:を|が)?(?:痛め|痛く|痛い|痛む|痛み|の痛))"
    # not when the word names a service, a programme, a department or people in general
    r"(?!カフェ|サポーター|地域支援推進員|推進員|初期集中|施策|対策|予防|講座|研修|フォーラム|セミナー|"
    r"教室|の人|の方|のある人|のある方|疾患医療|基本法|キャラバン|ケアパス|専門|相談|支援チーム|サロン|"
    r"検診|福祉|者福祉|者支援|者総合|者差別|者雇用|児支援|児福祉|児通所|者|患者|センター|科|病棟|外来|"
    r"学会|協会|認定者|時|加算|連携|病床|施設|室|物|以上|以下|・)"
)
# Living situation (issue #15): who lives alone, on welfare, in debt, after prison, under abuse …
# Near a named person these are as sensitive as a diagnosis; on their own (80代の独居女性) they are
# not, and a word that names a law, a programme or an office (生活保護法, 虐待防止) is not one.
# Family members (round 4): 息子とはもう十年会ってない, 娘は遠くに住んでる.
_KIN = (
    r"息子|娘|子ども|子供|子|家族|兄弟|姉妹|兄|姉|弟|妹|親族|親戚|実家|身内|長男|長女|次男|次女|"
    r"お嫁さん|嫁|婿|孫|甥|姪|夫|妻|ご主人|旦那|元夫|元妻"
)
_LIVING = _compile_guarded(
    r"(?:独居|一人暮らし|ひとり暮らし|独り暮らし|一人住まい|ひとり住まい|二人暮らし|ふたり暮らし|"
    r"老老介護|老々介護|認認介護|高齢者のみ|夫婦のみ|8050|身寄り|身よりがな|天涯孤独|孤立|"
    r"生活保護|生保|受給中|受給して|保護費|ケースワーカー|困窮|生活苦|低所得|非課税|無年金|年金|"
    r"借金|債務|取り立て|督促|滞納|未払い|払えず|払えな|支払えな|家賃|お金を貸|お金がな|現金がな|"
    r"持っていかれ|金銭|経済的|(?:電気|ガス|水道)[とや・、]?(?:ガス|水道|電気)?(?:代|料金)?[がを]?"
    r"(?:止ま|止め|停止|使えな|使えず|未納|滞納)|"
    r"虐待|暴力|DV|ドメスティック|モラハラ|ネグレクト|ゴミ屋敷|ごみ屋敷|不衛生|足の踏み場|"
    r"引きこもり|ひきこもり|閉じこもり|不登校|離婚|別居|死別|離別|内縁|亡くし|亡くされ|先立たれ|"
    r"同居|家庭内|家出|失踪|行方不明|避難|シェルター|出所|服役|刑務所|逮捕|前科|保護観察|少年院|"
    r"ホームレス|路上生活|野宿|車中泊|住所不定|住む所がな|住まいがな|成年後見|後見|保佐|"
    r"日常生活自立支援|外国籍|国籍|在留|難民|日本語の読み書き|失業|無職|解雇|母子世帯|父子世帯|"
    r"母子家庭|父子家庭|ひとり親|一人親|詐欺|悪質商法|消費者被害|ギャンブル|介護疲れ|介護離職|"
    r"(?:を|が)介護(?:して|され)|無心|たかられ|立ち退き|退去|借家|一時保護|措置入所|身元保証|"
    r"保証人がいな|収入(?! ?\d)|所得|貯金|預金|通帳|財産|相続|遺産|負債|破産|債務整理|消費者金融|闇金|サラ金|"
    # round 2: alone, estranged, isolated, moved into care, cut off from shopping and meals
    r"一人で(?:暮ら|住)|ひとりで(?:暮ら|住)|独りで(?:暮ら|住)|独り身|単身|身内がいな|身内はいな|"
    r"頼れる(?:人|家族|親族)がいな|疎遠|音信不通|絶縁|孤独死|孤独|引きこも|ひきこも|閉じこも|"
    r"施設入所|入所(?:し|され|が決|予定|待ち|中)|特養|特別養護老人ホーム|老人ホーム|グループホーム|"
    r"サ高住|有料老人ホーム|ショートステイ|高齢夫婦|夫婦二人|夫婦ふたり|買い物(?:に行けな|に行けてい?な|"
    r"難民|弱者|ができな|が困難)|食事(?:が|も)(?:とれ|取れ|摂れ)(?:てい)?な|配食|安否確認|見守り対象|"
    r"ヤングケアラー|ダブルケア|介護負担|ひとり親|未婚|独身|家族(?:の支援|の協力)がな|身を寄せ|"
    # round 3: alone at times, cut off, family conflict and loss, money, housing trouble, care
    r"一人(?:きり|ぼっち)|(?:日中|夜間|昼間|夜|日曜|週末|普段|現在|今|ずっと)は?(?:お)?一人|"
    r"一人で(?:過ご|生活|暮|住|いる|い(?:ます|た)|看て|介護)|(?:から|ので|中で)(?:お)?一人(?=[。、,\n]|$)|"
    r"お一人(?:に|暮|住|で暮)|近所付き合い|人付き合い|付き合いがな|誰とも(?:話さ|会わ|話して|会って)|"
    r"外に出(?:なくな|ていな|られな)|外出しなくな|姿を見ていな|姿を見かけな|安否|"
    r"連絡が(?:取れ|とれ|つか)(?:てい)?(?:な|ず)|不仲|仲が悪|折り合いが悪|うまくいかず|"
    r"うまくいってい?な|確執|暴言|怒鳴られ|叩かれ|殴られ|家にいられな|家に居られな|居場所がな|"
    r"帰る(?:家|所|場所)がな|行く(?:あて|当て|所|場所)がな|夜逃げ|寝泊まり|泊まり歩|転々と|"
    r"が亡くな(?:っ|り|られ)|亡くなって(?:から|以来)|"
    r"(?:子ども|子供|子|身寄り|身内|家族|親族|兄弟)(?:は|が|も)?(?:なし|無し|いな|おらず)|キーパーソン|"
    r"(?:カード|通帳|お金|年金|給料)を(?:取り上げ|使い込|持ち出|使われ|管理され)|浪費|生活費|仕送り|"
    r"お金に困|貯え|蓄え|切り崩|医療費が(?:払|出せ)|(?:仕事|働き口)を(?:し|辞め|やめ|失)(?:ておらず|ていな|て)|"
    r"働いていな|(?:生活)?保護(?:の)?(?:申請|受給|を受け|開始|廃止)|雨漏り|修理(?:代|費)?が(?:出せ|払え)|"
    r"(?:大家|家主)(?:が|から|さん)|壊れ(?:た|て)まま|"
    r"(?:ごみ|ゴミ|物|モノ|荷物)(?:袋)?(?:が|で)(?:あふれ|溢れ|山積|散乱)|異臭|悪臭|"
    r"施設に入(?:っ|ら|所|居|れ)|入居(?:し|され)|(?:を|が)(?:一人で)?看て|看病|面倒を見|"
    r"と(?:の)?二人(?:で|暮|住|きり|[。、,\n]|$)|(?:風呂|トイレ|給湯器|エアコン|暖房|屋根)が壊れ|"
    # round 4: family out of touch or far away, nobody around, alone in a home, bereavement,
    # money for heating and rent, a home lost or borrowed, care that costs a job
    rf"(?:{_KIN})(?:さん|ちゃん|たち|夫婦|一家)?(?:と|とは|とも|には|から(?:は|も)?|は|が|も)"
    r"[^。\n]{0,14}?(?:会って(?:い)?な|会わな|会えて(?:い)?な|会ってくれな|連絡(?:を|が|も)?(?:取|と)って(?:い)?な|"
    r"連絡(?:が|も)?(?:な|来な|こな)|行き来(?:が|は|も)?な|電話(?:一本)?(?:も|を)?(?:くれ|こな|来な|よこさ|かけてこ)な|"
    r"縁を切|縁が切れ|縁切|没交渉|関わら(?:な|ず)|関わるな|顔を(?:見せ|出さ)な|寄り付かな|寄りつかな|"
    r"(?:遠く|遠方|県外|海外|都会|東京|関東|関西)(?:に|で|勤務|在住|暮らし|住まい)|帰って(?:こ|来)な|"
    r"(?:お金|金)を(?:せび|せが|無心|貸して)|折り合いが)|"
    r"音信(?:なし|無し|がな|もな)|離れて(?:暮ら|住)|没交渉|縁を切|縁が切れ|縁切り|"
    r"誰も(?:いな|居な|おらず|来な|こな|訪ねて)|話し相手(?:が|も)?(?:誰も)?(?:いな|おらず|居な)|"
    r"口を(?:きいて|利いて|きか|利か)(?:い)?な|ぽつんと|家に(?:こも|籠)|こもりがち|ずっと家に|"
    r"(?:独り|ひとり)(?:住まい|住い|ずまい|で(?:過ご|生活|暮|住|いる|い(?:ます|た))|きり|ぼっち)|一人住い|"
    r"(?:自分|わたし|私)(?:一人|ひとり|独り)で|一人で(?:担|抱え|み(?:て|る)|世話|面倒|やって|切り盛りして(?:い|き))|"
    r"(?:家|自宅|部屋|アパート|住宅|団地)(?:に|で|では)(?:お)?(?:一人|ひとり|独り)(?:きり)?(?=[。、,\n]|$|です|で(?:す|い|過|暮))|"
    r"(?:日中|昼間|夜間|夜|普段|平日)は[^。、\n]{1,10}?(?:だけ|のみ)(?:に|で|が|の)?(?:な|過ご|残|い)|"
    r"(?:年寄り|老人|高齢者|夫婦|老夫婦)(?:の)?(?:二人|ふたり)(?:だけ|きり)|"
    r"(?:ご主人|夫|奥さん|奥様|妻|旦那|連れ合い|息子|娘|母|父)(?:さん)?を(?:見送|看取)|"
    r"(?:ご主人|夫|奥さん|妻|旦那|連れ合い)(?:さん)?と[^。\n]{0,6}?別れ|"
    r"灯油(?:代|を買|が買|も買|の買い置き|がな|もな)|(?:お金|現金)(?:も|が)(?:な|無)|"
    r"家賃を[^。\n]{0,6}?(?:ため|溜め)|(?:住まい|住む(?:所|家|場所)|住居|部屋|引っ越し先|転居先|次の家)が見つから|"
    r"契約(?:更新)?を断られ|居候|引き取られ|厄介にな|居づら|居心地が悪|"
    r"働かず|働こうとしな|仕事を(?:辞め|やめ|失)|介護の(?:ため|ために)|"
    r"年金(?:暮らし|生活|のみ|だけ)|食費を(?:切り詰|削)|生活が(?:苦し|厳し|大変))"
    r"(?!法|制度|防止|対策|施策|計画|事業(?!を)|窓口|担当|課|係|センター|講座|研修|"
    r"の(?:方|人|高齢者|男性|女性|皆|世帯|ご家庭))"
)
# Birth dates: 和暦 (昭和15年3月2日, 昭和二十四年, 大正14年, S12.8.15, S20/1/30, H2年) and 西暦
# (1948年11月3日, 1939.04.22), after 生年月日/誕生日 or before 生まれ/生.
_KANJI_NUMERAL = "[〇一二三四五六七八九十]"
_DAY = rf"(?:\d{{1,2}}|{_KANJI_NUMERAL}{{1,3}})"
_DATE = (
    rf"(?:(?:明治|大正|昭和|平成|令和) ?(?:元|{_DAY}) ?年(?: ?の? ?{_DAY} ?月(?: ?{_DAY} ?日)?)?"
    r"|(?<![A-Za-z])[MTSHR]\.? ?\d{1,2}(?: ?年| ?[./・/-] ?\d{1,2} ?[./・/-] ?\d{1,2})"
    r"|(?<![\d\-./])(?:19|20)\d\d"
    r"(?: ?年(?: ?\d{1,2} ?月(?: ?\d{1,2} ?日)?)?|[./-]\d{1,2}[./-]\d{1,2}))"
)
_BIRTH = _compile_guarded(
    rf"(?:生年月日|誕生日|生年)[^。\n\d]{{0,6}}?{_DATE}"
    rf"|{_DATE} ?(?:生まれ|生れ|うまれ|生(?![活徒涯産命協物態計息存成]))"
)
# An age anywhere near the person: 78歳, 八十七歳, 御年88, 年齢：93歳 (not 78.6歳, 80代, 65歳以上).
_AGE_WORD = _compile_guarded(
    rf"(?:御年|おんとし|年齢 ?[:は]?) ?(?P<n1>\d{{1,3}}|{_KANJI_NUMERAL}{{1,4}}|百{_KANJI_NUMERAL}{{0,2}})"
    rf"|(?<![\d.])(?P<n2>\d{{1,3}}|{_KANJI_NUMERAL}{{1,4}}|百{_KANJI_NUMERAL}{{0,2}}) ?[歳才]"
    r"(?!以上|以下|未満|から|まで|代|前後|程度|くらい|ぐらい|頃|児|時|の(?:方|人|男性|女性|高齢者))"
)
# Round 4: an age said without 歳 (今年で94, もう88になった, 90になる, 93のおばあちゃん, （九十二）);
# read only as 50 to 120, so that counts (会員が30になった, 今年で10回目) are not ages.
_KANJI_AGE = rf"[一二三四五六七八九]?十{_KANJI_NUMERAL}?|百{_KANJI_NUMERAL}{{0,2}}"
_AGE_BARE = _compile_guarded(
    r"(?:今年|来年|今月|来月|今度|もう|満|数え|やっと|ついに|この[春夏秋冬]|[春夏秋冬]に)で?\s?"
    rf"(?P<n1>\d{{2,3}}|{_KANJI_AGE})(?![\d{_KANJI}年月日時分円人名件回周%.,:万千個枚本台点度期号番倍つ])"
    rf"|(?<=[、,「\s])(?P<n2>\d{{2,3}}|{_KANJI_AGE})\s?(?:に(?:なる|なった|なられ|なりま|なって)|を迎え)"
    rf"|(?<![\d.,/:\-])(?P<n3>\d{{2,3}}|{_KANJI_AGE})の(?:おばあ|おじい|ばあ|じい|お婆|お爺|母|父|おふくろ|親父)"
    rf"|\((?P<n4>{_KANJI_AGE})\s?[歳才]?\)"
)
# Longevity celebrations (米寿 = 88) and a birth era alone (昭和一桁生まれ): an age near a name.
_AGE_EVENT = _compile_guarded(
    r"還暦|古希|古稀|喜寿|傘寿|米寿|卒寿|白寿|百寿|紀寿|茶寿|皇寿"
    r"|(?:明治|大正|昭和)\s?(?:一桁|ひとけた|初期|初め|前半|中頃|後半|末)?\s?(?:の)?(?:生まれ|生れ)"
    # an age with the sex in brackets: （女・91）, （91歳・男性）
    r"|\((?:男|女)性?\s?[・、,/ ]\s?\d{1,3}\s?[歳才]?\)|\(\d{1,3}\s?[歳才]?\s?[・、,/ ]\s?(?:男|女)性?\)"
    r"|数え(?:年)?\s?で?\d{1,3}"  # round 3: （数え100）
)
# Where a named person lives, below a house number: a chome, a block of flats, a housing estate
# (緑町二丁目, さくら団地3号棟, 旭町の市営住宅), or a town with a house word after it (若葉町の公民館の
# 向かいの家). On its own it is a district (3丁目の集会所); near a named person it locates them.
_RESIDENCE = _compile_guarded(
    # (a chome or a block followed by a number is a house-level address, flagged on its own)
    rf"(?:{_NUM}丁目(?! ?{_NUM})|\d{{1,3}} ?号棟(?! ?\d)|[{_KANJI}{_KATAKANA}ぁ-ゖ]{{1,8}}?"
    r"(?:団地|市営住宅|県営住宅|町営住宅|公営住宅|住宅|荘|ハイツ|コーポ|アパート|マンション|ハイム|"
    r"メゾン|長屋))"
    r"(?!の?(?:集会所|集会場|公民館|公園|会館|センター|広場|交差点|バス停|自治会|管理組合|"
    r"管理事務所|商店|店|整備|建設|計画|工事))"
    rf"|[{_KANJI}{_KATAKANA}ぁ-ゖ]{{1,6}}(?:町|村|地区|集落|台|ヶ丘|が丘)(?!さん|様|さま|氏|君|くん|ちゃん|家|宅)"
    r"(?=[^。\n]{0,16}?(?:に住|で暮ら|に暮ら|の家|のお宅|宅|向かい|の裏|の隣|平屋|一軒家|借家|"
    r"にお住まい|越して|越され|引っ越|に家を(?:建|買)))"
    # round 4: a town, an estate or a 字 with 在住 (栄町在住, 大字上野在住; not 東京在住, 県外在住)
    rf"|[{_KANJI}{_KATAKANA}ぁ-ゖ]{{0,7}}(?:町|村|地区|集落|台|ヶ丘|が丘|丁目|団地|住宅|荘)\s?在住"
    rf"|大?字[{_KANJI}]{{1,4}}\s?在住"
    # round 4: where the house is, said of the house (〇〇さんのお宅は本町の坂の上, うちは川沿いの一軒家,
    # 家はバス停から歩いて2分): only a description of a place, not 家は広い, うちは犬を飼っている
    r"|(?:お宅|うち|家|お家|おうち|住まい|住居)(?:は|って)[^。\n]{0,24}?"
    r"(?:坂の(?:上|下|途中)|坂下|坂上|(?:の|すぐ)(?:裏|隣|向かい|横|角|奥|並び|手前|突き当たり|先)|"
    r"裏手|屋根|一軒家|平屋|長屋|階建て|から(?:歩いて|徒歩|車で)|沿い|団地|アパート|マンション|住宅|"
    r"丁目|番地|(?:町|村|地区)の(?:坂|奥|外れ|はずれ|端|角|入り口|入口)|渡って|曲がって)"
    # round 3: a house described by a landmark (郵便局の裏の赤い屋根の家, 小学校の前の角の家)
    r"|(?:裏|隣|向かい|前|横|角|奥|斜め前|並び)(?:の|にある)[^。\n]{0,12}?(?:家|お宅|一軒家|平屋|アパート)"
    r"(?![族事計賃電具庭])"
)
_WINDOWS = {"health_identity": 30, "name_living": 30, "name_age": 30, "address": 30}
_MAX_WINDOW = max(_WINDOWS.values())
# Between them, a talk or a publication: the word is a topic (佐藤さんの講演「脳卒中と…」), not a condition.
_TOPIC = re.compile(r"講演|講座|講義|研修|セミナー|シンポジウム|テーマ|演題|著書|著者|発表|『|』")


# Round 4: the age of a pet or a thing (吉田さんちの犬は14歳, 家は築50年) is not the person's.
_PET_BEFORE = re.compile(
    r"(?:犬|猫|ネコ|イヌ|ねこ|いぬ|愛犬|愛猫|ペット|ワンちゃん|わんちゃん|ワンコ|柴|うさぎ|インコ|金魚|"
    r"車|家|木)(?:は|が|も|の|で|、)?\s?(?:もう|今年で|今年|まだ)?\s?$"
)


def _kanji_number(text: str) -> int:
    """87 for 八十七, 101 for 百一, 90 for 九十, 88 for 88 (ages only: below 1000)."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for ch in text:
        if ch in "十百":
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = digit * 10 + "〇一二三四五六七八九".index(ch)
    return total + digit


def _attributes(norm: str) -> list[tuple[int, int, str]]:
    """What would make a named person identifiable, sorted: (start, end, kind)."""
    found = [(*m.span(), "health_identity") for m in _DIAGNOSIS.finditer(norm)]
    found += [(*m.span(), "name_living") for m in _LIVING.finditer(norm)]
    found += [(*m.span(), "name_age") for m in _BIRTH.finditer(norm)]
    found += [(*m.span(), "name_age") for m in _AGE_EVENT.finditer(norm)]
    found += [(*m.span(), "address") for m in _RESIDENCE.finditer(norm)]
    found += [
        (*m.span(), "name_age")
        for m in _AGE_WORD.finditer(norm)
        if 0 < _kanji_number(m.group("n1") or m.group("n2")) <= 120
        and not _PET_BEFORE.search(norm, max(0, m.start() - 8), m.start())
    ]
    found += [
        (*m.span(), "name_age")
        for m in _AGE_BARE.finditer(norm)
        if 50 <= _kanji_number(m.group(m.lastgroup)) <= 120
        and not _PET_BEFORE.search(norm, max(0, m.start() - 8), m.start())
    ]
    return sorted(found)


def _person_name(norm: str, m: re.Match[str]) -> int | None:
    """Start of the real name inside the match (after 民生委員, 市長 …), or None if not a name."""
    name, start = m.group("name"), m.start("name")
    roles = list(_ROLE.finditer(name))
    if roles:
        start += roles[-1].end()
        name = name[roles[-1].end() :]
    stripped = name.strip()
    start += len(name) - len(name.lstrip())
    if not stripped or stripped in _NOT_NAMES or (not m.group("hon") and len(stripped) < 2):
        return None
    if _PUBLIC_TITLE.search(norm, max(0, start - 24), start):
        return None
    return start


# A katakana given name with an honorific (シゲさん, ミサヲ様); loanwords for roles are not names.
_KANA_PERSON = re.compile(
    # a katakana name (ハルエ, ヤマダ ハナコ; after a particle too: 「…」とハルさん, 生まれのキヨさん)
    # or a hiragana one (たけだ, はなこ; not inside a hiragana run) …
    r"(?P<name>(?<![\u30a1-\u30fcA-Za-z・])[\u30a1-\u30fa]{2,5}(?: [\u30a1-\u30fa][\u30a1-\u30fa\u30fc]{1,4})?"
    r"|(?<![\u30a1-\u30fcA-Za-z・ぁ-ゖ])[ぁ-ゖ]{2,5})"
    # … with an honorific, and perhaps an age in brackets: ユキエさん（88）
    r" ?(?:さん|様|さま|氏|ちゃん|くん)(?P<age> ?\((?P<age_n>\d{1,3}) ?[歳才]?[^()]{0,10}\))?"
)
# Hiragana words before an honorific that are not names: family, 皆さん, ご苦労様, お月様 …
_HIRAGANA_NOT_NAMES = frozenset(
    """
    おばあ ばあ おじい じい おかあ かあ おとう とう おねえ ねえ おにい にい おば おじ おっ ぼっ おぼっ
    ばっ じっ ばあば じいじ みな みんな おく ごしゅじん しゅじん だんな おきゃく きゃく おつかれ
    ごくろう くろう おかげ おひ おつき かみ ほとけ おまわり おとなり となり おむかい むかい おたく
    だれ どなた どちら こちら そちら あちら あか おこ おじょう じょう おいしゃ いしゃ おひめ ひめ おう
    おうじ まご むすこ むすめ およめ よめ おむこ むこ おや おやご かぞく ごかぞく こども おとな ひと
    きんじょ ごきんじょ ともだち おともだち せんせい ごちそう おたがい ごしゅうしょう おそまつ おじゃま
    わん ねこ いぬ うさ くま ぞう おさる ちび おねがい
    """.split()
)
_PARTICLE_START = re.compile(r"[のはがをにへとでもやかな]")
_KANA_NOT_NAMES = frozenset(
    "スタッフ ママ パパ ゲスト コーチ シェフ ケアマネ ナース プロ ヘルパ メンバ パート ボラ オーナ "
    "ドクタ ワンコ ネコ イヌ サポタ アナ ケースワーカ ドライバ リーダ マスタ シスタ ブラザ ベビ".split()
)
# A title right after a name (山田太郎教授) or an office in brackets (伊藤さん（市社協）): a public role.
_TITLE_AFTER = re.compile(
    r" ?(?:教授|准教授|講師|先生|議員|市長|町長|村長|知事|大臣|医師|弁護士|会長|理事長|代表|課長|"
    rf"部長|所長|センター長|局長)| ?(?:さん|様|氏)? ?\([^()]{{0,6}}?(?:{_OFFICE.pattern})"
)
_SUDACHI_CONTEXT = 40  # characters around an attribute that the analyser reads
_SUDACHI_BUDGET = 2000  # characters analysed per call at most


def _public_role(norm: str, start: int, end: int) -> bool:
    return bool(
        _PUBLIC_TITLE.search(norm, max(0, start - 24), start) or _TITLE_AFTER.match(norm, end)
    )


def _regex_persons(norm: str) -> Iterable[tuple[int, int, bool]]:
    """Kanji names with an honorific or an age next to them: (start, end, aged)."""
    for m in _PERSON.finditer(norm):
        start = _person_name(norm, m)
        if start is None:
            continue
        end = m.end()
        aged = m.group("age_n") is not None and int(m.group("age_n")) <= 120
        if (
            not aged
            and (after := _AGE_AFTER.match(norm, end))
            and int(after.group(1)) <= 120
            and not _PET_BEFORE.search(norm, end, after.start(1))
        ):
            end, aged = after.end(), True
        before = None if aged else _AGE_BEFORE.search(norm, max(0, start - 12), start)
        if before and int(before.group(1)) <= 120 and not _SENTENCE_END.search(before.group()):
            start, aged = before.start(), True
        yield start, end, aged
    for m in _KANA_PERSON.finditer(norm):
        name = m.group("name")
        if "\u3041" <= name[0] <= "\u3096":  # hiragana: not a word, not a particle after kanji
            # a family word at the end of a hiragana run (あるおじいさん) is not a name either
            if name in _HIRAGANA_NOT_NAMES or any(
                name[i:] in _HIRAGANA_NOT_NAMES and name[i] in "おご" for i in range(1, len(name) - 1)
            ) or (
                m.start() and norm[m.start() - 1] > "\u3096" and _PARTICLE_START.match(name)
            ):
                continue
        elif name in _KANA_NOT_NAMES or name.split()[0] in _KANA_NOT_NAMES:
            continue
        if not _public_role(norm, m.start(), m.end()):
            aged = m.group("age_n") is not None and 0 < int(m.group("age_n")) <= 120
            yield m.start(), m.end(), aged


# A surname with a family word or a house (西田のおばあちゃん, 鈴木家, 佐藤宅): a person once the
# analyser confirms the surname (近所のおばあちゃん, 専門家 are not), so only near an attribute.
_FAMILY_OF = re.compile(
    rf"(?P<name>[{_KANJI}]{{1,4}})"
    r"(?:(?P<kin>の(?:おばあ|おじい|ばあ|じい|お婆|お爺|婆|爺)(?:ちゃん|さん|さま|様)"
    r"|の(?:ばっちゃん|じっちゃん|おばちゃん|おじちゃん|奥さん|奥様|ご主人|旦那さん|お母さん|"
    r"お父さん|お母様|お父様|息子さん|娘さん|お嫁さん|お孫さん|お子さん|ご家族|ご夫婦))"
    rf"|(?:家|宅|一家)(?![{_KANJI}]))"
)
_LARGE_PLACES = frozenset(
    """
    北海道 青森 岩手 宮城 秋田 山形 福島 茨城 栃木 群馬 埼玉 千葉 東京 神奈川 新潟 富山 石川 福井 山梨
    長野 岐阜 静岡 愛知 三重 滋賀 京都 大阪 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛
    高知 福岡 佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄 札幌 仙台 横浜 川崎 相模原 名古屋 神戸 北九州 堺
    浜松 関東 関西 東北 九州 四国 北陸 東海 中国 日本 海外 アメリカ 韓国 台湾
    """.split()
)


def _analysed_persons(norm: str, attributes: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Full names without an honorific (田中一郎, 野村 カツ), found by the morphological analyser,
    only in the text around the attributes: the analyser costs more than every regex together.
    Also a surname it confirms in a family reference (西田のおばあちゃん, 鈴木家)."""
    windows: list[list[int]] = []
    for a0, a1, _kind in attributes:
        lo, hi = max(0, a0 - _SUDACHI_CONTEXT), min(len(norm), a1 + _SUDACHI_CONTEXT)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    names, budget = [], _SUDACHI_BUDGET
    for lo, hi in windows:
        hi = min(hi, lo + budget)
        budget -= hi - lo
        full, surnames, places = pii_names.analyse(norm[lo:hi])
        names += [(lo + s, lo + e) for s, e in full if not _public_role(norm, lo + s, lo + e)]
        surname_ends = {lo + e: lo + s for s, e in surnames}
        # round 4: a place-name surname in a family reference (宮下のおじいちゃん), not in a house
        # word (東京宅) and not a prefecture or a large city (東京のおばあちゃん names no household)
        place_ends = {
            lo + e: lo + s for s, e in places if norm[lo + s : lo + e] not in _LARGE_PLACES
        }
        for m in _FAMILY_OF.finditer(norm, lo, hi):
            start = surname_ends.get(m.end("name"))
            if start is None and m.group("kin"):
                start = place_ends.get(m.end("name"))
            if start is not None and start >= m.start() and not _public_role(norm, start, m.end()):
                names.append((start, m.end()))
        if budget <= 0:
            break
    return names


# Round 4: a visit-note header names the person, the next sentence says how they are
# (ウメさん宅訪問。「息子とはもう十年会ってないよ」, 北村さん宅へ。お風呂が壊れたまま…).
_HEADER_AFTER = re.compile(
    r"\s?(?:宅|様方|方|家)\s?(?:を|に|へ)?\s?(?:訪問|へ|にて|で|の様子)?(?:時|して|した)?\s?[。\n]"
    r"|\s?(?:を|に|へ)\s?(?:訪問|電話)(?:時|して|した)?\s?[。\n]"
)


def _near(norm: str, start: int, end: int, attribute: tuple[int, int, str]) -> bool:
    a0, a1, kind = attribute
    gap = a0 - end if a0 >= end else start - a1
    lo, hi = min(end, a1), max(start, a0)
    if gap > _WINDOWS[kind] or _TOPIC.search(norm, lo, hi):
        return False
    stop = _SENTENCE_END.search(norm, lo, hi)
    if stop is None:
        return True
    # one sentence end only, right after a header (〇〇さん宅訪問。): the next sentence is theirs
    header = _HEADER_AFTER.match(norm, end) if a0 >= end else None
    return bool(
        header and header.end() == stop.end() and not _SENTENCE_END.search(norm, stop.end(), hi)
    )


def _people(norm: str) -> Iterable[tuple[str, int, int]]:
    attributes = _attributes(norm)
    starts = [a[0] for a in attributes]
    persons = list(_regex_persons(norm))
    if attributes:
        # the analyser reads only around attributes no name with an honorific already explains
        persons.sort()
        person_starts = [p[0] for p in persons]
        alone = [
            a
            for a in attributes
            if not any(
                _near(norm, s, e, a)
                for s, e, _ in persons[
                    bisect_left(person_starts, a[0] - _MAX_WINDOW - 64) : bisect_right(
                        person_starts, a[1] + _MAX_WINDOW
                    )
                ]
            )
        ]
        persons += [(s, e, False) for s, e in _analysed_persons(norm, alone)]
    for start, end, aged in persons:
        # only the attributes near the person (a long post may hold thousands of each)
        lo = bisect_left(starts, start - 3 * _MAX_WINDOW)
        hi = bisect_right(starts, end + _MAX_WINDOW)
        near = [a for a in attributes[lo:hi] if _near(norm, start, end, a)]
        if near:
            kind = min((a[2] for a in near), key=KINDS.index)
            # the person and every such word near them (統合失調症の診断を受けている高橋さん)
            before = [a0 for a0, a1, k in near if k == kind and a1 <= end]
            after = [a1 for a0, a1, k in near if k == kind and a0 >= start]
            yield kind, min(before + [start]), max(after + [end])
        elif aged:
            yield "name_age", start, end


# --- Public API ---------------------------------------------------------------------------------


def find_personal_info(text: str, context: str = "") -> list[Match]:
    """Personal information in ``text``, in order, with offsets into ``text`` itself.

    ``context`` is read before the text but never reported: the label of a form field, so that
    a venue's address under 会場の住所 counts as an organisation's, as it would in a sentence."""
    if not text:
        return []
    if context:
        prefix = f"{context}："
        return [
            Match(m.kind, start, m.end - len(prefix), text[start : m.end - len(prefix)])
            for m in find_personal_info(prefix + text)
            if m.end > len(prefix) and (start := max(0, m.start - len(prefix))) >= 0
        ]
    norm, starts, ends = _normalise(text)
    norm = _URL.sub(lambda m: " " * len(m.group()), norm)
    found: list[tuple[int, int, str]] = []
    view, index = _digit_view(norm)
    numbers = [(s, e, "phone") for s, e in _phones(view)]
    numbers += [(s, e, "my_number") for s, e in _my_numbers(view)]
    numbers += [(s, e, "insured_number") for s, e in _insured_numbers(view)]
    if index is not None:  # back from the digit view to the normalised text
        numbers = [(index[s], index[e - 1] + 1, kind) for s, e, kind in numbers]
    found += numbers
    found += [(s, e, "phone") for s, e in _spoken_phones(norm)]
    found += [
        (*m.span(), "postal_code")
        for m in _POSTAL.finditer(norm)
        if not _org_labelled(norm, *m.span()) and not _public_place(norm, *m.span())
    ]
    found += [(s, e, "email") for s, e in _emails(norm)]
    found += [(s, e, "address") for s, e in _addresses(norm)]
    found += [(s, e, kind) for kind, s, e in _people(norm)]

    merged: list[list] = []  # [start, end, kind] in the original text
    for s, e, kind in sorted((starts[s], ends[e - 1], k) for s, e, k in found if e > s):
        if merged and s < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], e)
            last[2] = min(last[2], kind, key=KINDS.index)
        else:
            merged.append([s, e, kind])
    return [Match(kind, s, e, text[s:e]) for s, e, kind in merged]


def summarize(matches: Iterable[Match]) -> dict[str, int]:
    """How many matches of each kind, in the order of ``KINDS`` (kinds not found are left out)."""
    counts = Counter(m.kind for m in matches)
    return {kind: counts[kind] for kind in KINDS if counts[kind]}
