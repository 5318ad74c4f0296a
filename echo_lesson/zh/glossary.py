"""术语表: one Chinese term per idea, across lessons, panels, CLI and READMEs.

Each entry: the English term, the one Chinese term the course uses, and the renderings it
replaced (which must not appear anywhere a Chinese learner reads: tests/test_glossary.py).
Lesson 00 shows this table to the learner.
"""

GLOSSARY: list[tuple[str, str, tuple[str, ...]]] = [
    # (English, the Chinese term, renderings not to use)
    ("echo", "回显", ("回声",)),
    ("notebook", "notebook", ("笔记本",)),
    ("socket", "套接字（socket）", ()),
    ("blocking", "阻塞", ("卡住不动",)),
    ("scope", "作用域", ("够不着",)),
    ("listen backlog", "积压队列（backlog）", ("listen 队列",)),
    ("TCP assistant tool", "网络调试助手", ("TCP 助手", "TCP 调试助手")),
    ("bug zoo (appendix 90)", "bug 动物园", ("错误动物园",)),
    ("handler", "handler（处理函数）", ()),
    ("thread pool", "线程池", ()),
    ("half-close", "半关闭", ()),
    ("reset (RST)", "重置（RST）", ()),
    ("framing", "分帧", ()),
    ("loopback", "回环地址", ()),
    ("self-check", "自检", ("自测",)),
    ("stub", "桩代码", ()),
    ("broadcast", "广播", ()),
    ("nickname", "昵称", ()),
    ("server", "服务器", ("服务端",)),
    ("peer", "对方", ("对端",)),
    ("headers (HTTP)", "头部", ("首部", "报头", "请求头", "响应头")),
    ("body (HTTP)", "消息体", ("报文体", "请求体", "响应体")),
    ("TCP keepalive", "保活（keepalive）", ("心跳",)),
    ("keep-alive (HTTP)", "持久连接", ("长连接",)),
]
