"""Chinese for the event log: the sentence of each kind of event (Event.describe builds it
from a template in echo_lesson/events.py), who it concerns, and the details servers record.

Peers, byte counts and previews of data are filled in as they are; `listening on HOST:PORT`
stays verbatim.
"""

TEXTS = {
    # who
    "server": "服务器",
    # one sentence per kind of event (the templates of echo_lesson.events.SENTENCES)
    "server listening on {detail}": "服务器 listening on {detail}",
    "{who} connected from {peer}": "{who} 已连接，来自 {peer}",
    "{who}: received {nbytes} bytes {detail}": "{who}：收到 {nbytes} 字节 {detail}",
    "{who}: sent {nbytes} bytes": "{who}：发送了 {nbytes} 字节",
    "{who} closed its side (recv returned b'')": "{who} 关闭了它那一端（recv 返回 b''）",
    "{who}: connection closed": "{who}：连接已关闭",
    "{who}: {detail}": "{who}：{detail}",
    "{who} refused: {detail}": "{who} 被拒绝：{detail}",
    "{who} timed out: {detail}": "{who} 超时：{detail}",
    "{who} vanished: {detail}": "{who} 突然消失了：{detail}",
    "server stopped": "服务器已停止",
    "server stopped ({detail})": "服务器已停止（{detail}）",
    "{who}: stopping {detail}": "{who}：正在停止{detail}",
    "{who}: cut {detail}": "{who}：{detail}，强制断开",
    "{who} joined the chat as {detail}": "{who} 以 {detail} 的名字加入了聊天室",
    "{who} said: {detail}": "{who} 说：{detail}",
    "{who} changed its name: {detail}": "{who} 改了名字：{detail}",
    "{who} was dropped by the server: {detail}": "{who} 被服务器断开：{detail}",
    "{who} started an upload: {detail}": "{who} 开始上传：{detail}",
    "{who}: saved {nbytes} bytes as {detail}": "{who}：已把 {nbytes} 字节保存为 {detail}",
    "{who}: sent the file {detail} ({nbytes} bytes)": "{who}：已发送文件 {detail}（{nbytes} 字节）",
    # details recorded by the servers
    "stopped by force: the handler kept running after its connection was closed "
    "(break out of the loop when recv returns b'' or raises)":
        "被强制停止：连接关闭后 handler 还在运行（recv 返回 b'' 或抛出异常时要跳出循环）",
}

# Details with values in them: (pattern, Chinese template with the pattern's groups).
PATTERNS = [
    (r"client (\d+)", "客户端 {0}"),
    # robust
    (r"sent nothing for (\S+) s \(idle_timeout\), disconnected",
     "{0} 秒内什么也没发来（idle_timeout），已断开"),
    (r"read nothing for (\S+) s \(idle_timeout\), disconnected",
     "{0} 秒内什么也没读（idle_timeout），已断开"),
    (r"(\d+) clients already connected, the limit \(max_clients\)",
     "已经连着 {0} 个客户端，达到上限（max_clients）"),
    (r"\(no new clients; (\d+) connected get up to (\S+) s to finish\)",
     "（不再接受新客户端；已连接的 {0} 个客户端最多还有 {1} 秒完成）"),
    (r"(\d+) busy clients when the grace period ended", "宽限期结束时还有 {0} 个客户端在忙"),
    # a handler's exception, with where it happened (base.where): Python's own words stay
    (r"(.+) \(in (\S+), line (\d+)\)", "{0}（出错位置：函数 {1} 的第 {2} 行）"),
    # the runner and the accept loop
    (r"still running after (\S+) s: (.*)", "{0} 秒后仍在运行：{1}"),
    (r"server crashed: (.*)", "服务器崩溃：{0}"),
    (r"accept failed: (.*)", "accept 失败：{0}"),
    # the chat room
    (r"(\S+) left", "{0} 离开了"),
    (r"(\S+) left \(too slow to read\)", "{0} 离开了（读得太慢）"),
    (r"(\S+) left \(connection lost\)", "{0} 离开了（连接断了）"),
    (r"(\S+) left \(too slow to read\): (\d+) lines were waiting for it",
     "{0} 离开了（读得太慢）：有 {1} 行在等它读"),
    (r"(\S+) left \(connection lost\): send failed: (.*)", "{0} 离开了（连接断了）：发送失败：{1}"),
    (r"line over (\d+) bytes refused", "超过 {0} 字节的一行被拒绝"),
    # the files server
    (r"(.+): (\d+) bytes coming", "{0}，共 {1} 字节"),
    (r"(.+), sha256 ok", "{0}，sha256 校验通过"),
    (r"nothing received for (\S+) s; disconnected", "{0} 秒内什么也没收到，已断开"),
    (r"bad request: (.*)", "请求有误：{0}"),
    (r"unknown op (.+): use upload, download or list", "未知操作 {0}：请用 upload、download 或 list"),
    (r"(.+) is not inside the server's folder", "{0} 不在服务器的文件夹里"),
    (r"the size must be a whole number of bytes, not (.+)", "大小必须是整数个字节，而不是 {0}"),
    (r"(.+) is (\d+) bytes; this server takes at most (\d+) bytes per file",
     "{0} 有 {1} 字节；这个服务器每个文件最多接收 {2} 字节"),
    (r"checksum mismatch: (.+) was damaged on the way and was not kept; send it again",
     "校验和不符：{0} 在传输中损坏了，没有保存；请重新发送"),
    (r"no file named (.+) on the server; list_files\(\) shows what there is",
     "服务器上没有名为 {0} 的文件；list_files() 会列出有哪些文件"),
    (r"upload of (.+): the client went silent for (\S+) s; nothing kept",
     "上传 {0}：客户端 {1} 秒没有动静；什么也没有保存"),
    (r"download of (.+): the client went silent for (\S+) s; nothing kept",
     "下载 {0}：客户端 {1} 秒没有动静；什么也没有保存"),
    (r"upload of (.+): the upload was cut off after (\d+) of (\d+) bytes; nothing kept",
     "上传 {0}：在第 {1} 字节处（共 {2} 字节）被切断了；什么也没有保存"),
    (r"upload of (.+): (.*); nothing kept", "上传 {0}：{1}；什么也没有保存"),
    (r"download of (.+): (.*); nothing kept", "下载 {0}：{1}；什么也没有保存"),
    (r"the upload was cut off after (\d+) of (\d+) bytes", "上传在第 {0} 字节处（共 {1} 字节）被切断了"),
    (r"the upload was cut off before its checksum", "上传在校验和之前被切断了"),
]
