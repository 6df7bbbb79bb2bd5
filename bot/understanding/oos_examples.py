"""Messages a shop's FAQ bot must not answer from an FAQ, for calibrating the fallback thresholds.

Gibberish, chit-chat and questions from other domains, in Chinese and English. They are never
trained on: calibration only checks that the chosen thresholds reject them.
"""

from __future__ import annotations

GIBBERISH: tuple[str, ...] = (
    "asdf", "asdf qwer", "qwerty uiop", "jkl;jkl;", "zxcvbnm", "aaaaaaa", "hjkl hjkl",
    "fdsa rewq", "lorem ipsum dolor", "xyz 123 abc", "ggggg", "sdfsdf sdf", "blah blah blah",
    "啊啊啊啊", "哈哈哈哈哈", "嗯嗯嗯", "呃", "哦哦", "？？？", "。。。", "啦啦啦", "哎哟喂",
    "1234567", "???!!!", "ok ok ok ok", "测试测试", "test test", "哇哇哇",
)

CHIT_CHAT: tuple[str, ...] = (
    "你喜欢什么颜色", "你是男的还是女的", "你几岁了", "给我讲个笑话", "你会唱歌吗", "我好无聊啊",
    "你吃饭了吗", "你是机器人吗", "今天心情不错", "我们做朋友吧", "你觉得我帅吗", "晚上吃什么好",
    "你有男朋友吗", "周末去哪玩", "你叫什么名字",
    "tell me a joke", "what's your favorite color", "are you a boy or a girl", "how old are you",
    "I'm so bored", "do you like music", "what's the meaning of life", "can you sing",
    "let's be friends", "do you dream", "what should I eat tonight", "do you have a girlfriend",
    "what is your name", "I love cats", "do you believe in ghosts",
)

OFF_DOMAIN: tuple[str, ...] = (
    "今天天气怎么样", "明天会下雨吗", "北京到上海的高铁票多少钱", "帮我订一张机票",
    "附近有什么好吃的餐厅",
    "股票今天涨了吗", "比特币现在多少钱", "怎么做红烧肉", "世界杯谁赢了", "帮我写一首诗",
    "美国总统是谁", "一加一等于几", "怎么学好英语", "高考报什么专业好", "感冒了吃什么药",
    "怎么减肥最快", "推荐一部电影", "翻译一下hello", "帮我算一下房贷", "地球到月球有多远",
    "how is the weather today", "will it rain tomorrow", "book me a flight to paris",
    "who won the world cup", "what is the capital of france", "how do I cook pasta",
    "what's the bitcoin price", "recommend a good movie", "how far is the moon",
    "who is the president of the united states", "how do I learn python", "what is 2 plus 2",
    "translate hello into spanish", "write me a poem", "what time is it in tokyo",
    "how do I fix my car engine", "what's a good stock to buy", "how tall is mount everest",
    "play some music", "set an alarm for 7am", "what's the score of the game",
    "how many calories in an apple",
)

OUT_OF_SCOPE_EXAMPLES: tuple[str, ...] = GIBBERISH + CHIT_CHAT + OFF_DOMAIN
