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
    "{who} was cut to make room: {detail}": "{who} 被断开，好给新客户端腾位置：{detail}",
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
    "{who}: {detail}, {nbytes} bytes": "{who}：{detail}，{nbytes} 字节",
    # the chaos proxy (proxy.py)
    "{who}: the system's table says {detail}": "{who}：系统的连接表显示 {detail}",
    "client's socket: {state} (read from {source})": "客户端的套接字（socket）：{state}（读自 {source}）",
    "server's socket: {state} (read from {source})": "服务器的套接字（socket）：{state}（读自 {source}）",
    "client's socket: gone from the table (read from {source})":
        "客户端的套接字（socket）：已经不在表里了（读自 {source}）",
    "server's socket: gone from the table (read from {source})":
        "服务器的套接字（socket）：已经不在表里了（读自 {source}）",
    "client → server": "客户端 → 服务器",
    "server → client": "服务器 → 客户端",
    "could not reach the target {target}: {error}": "连不上目标 {target}：{error}",
    "reset both sides after {count} bytes (reset_after): they get ConnectionResetError":
        "转发 {count} 字节后重置（RST）两边（reset_after）：它们会收到 ConnectionResetError",
    "stopped forwarding after {count} bytes (drop_after): silence both ways, no FIN, no RST":
        "转发 {count} 字节后不再转发（drop_after）：两个方向都没有声音，没有 FIN，也没有 RST",
    "{name} must be more than 0 (or None), not {value}": "{name} 必须大于 0（或者为 None），不能是 {value}",
    "{name} is a time in ms: 0 or more, not {value}": "{name} 是以毫秒计的时间：0 或更大，不能是 {value}",
    # details recorded by the servers
    "stopped by force: the handler kept running after its connection was closed "
    "(break out of the loop when recv returns b'' or raises)":
        "被强制停止：连接关闭后 handler 还在运行（recv 返回 b'' 或抛出异常时要跳出循环）",
    "client {number}": "客户端 {number}",
    # robust
    "sent nothing for {seconds:g} s (idle_timeout), disconnected":
        "{seconds:g} 秒内什么也没发来（idle_timeout），已断开",
    "read nothing for {seconds:g} s (idle_timeout), disconnected":
        "{seconds:g} 秒内什么也没读（idle_timeout），已断开",
    "{count} clients already connected, the limit (max_clients)":
        "已经连着 {count} 个客户端，达到上限（max_clients）",
    # crowd: a full server makes room (slowloris)
    "the server was full ({count} clients, max_clients) and this client was the slowest: "
    "{rate:.1f} bytes/s over the last {seconds:g} s (under {least:g})":
        "服务器已满（{count} 个客户端，max_clients），这个客户端最慢："
        "最近 {seconds:g} 秒平均 {rate:.1f} 字节/秒（低于 {least:g}）",
    "(no new clients; {count} connected get up to {seconds:g} s to finish)":
        "（不再接受新客户端；已连接的 {count} 个客户端最多还有 {seconds:g} 秒完成）",
    "{count} busy clients when the grace period ended": "宽限期结束时还有 {count} 个客户端在忙",
    # a handler's exception, with where it happened (base.where): Python's own words stay
    "{error} (in {function}, line {line})": "{error}（出错位置：函数 {function} 的第 {line} 行）",
    # the runner and the accept loop
    "still running after {seconds:g} s: {threads}": "{seconds:g} 秒后仍在运行：{threads}",
    "server crashed: {error}": "服务器崩溃：{error}",
    "accept failed: {error}": "accept 失败：{error}",
    "select() on this system watches at most {limit} sockets, and {count} clients "
    "are connected; the asyncio kind has no such limit":
        "这个系统上一次 select() 最多只能盯住 {limit} 个套接字（socket），而已经连着 {count} 个客户端；"
        "asyncio 种类没有这个限制",
    # the chat room
    "{name} left": "{name} 离开了",
    "{name} left (too slow to read)": "{name} 离开了（读得太慢）",
    "{name} left (connection lost)": "{name} 离开了（连接断了）",
    "{name} left (the room was full)": "{name} 离开了（聊天室满了）",
    "the room is full: {count} members (max_clients)": "聊天室满了：已有 {count} 个成员（max_clients）",
    "{name} left (too slow to read): {count} lines were waiting for it":
        "{name} 离开了（读得太慢）：有 {count} 行在等它读",
    "{name} left (connection lost): {why}": "{name} 离开了（连接断了）：{why}",
    "send failed: {error}": "发送失败：{error}",
    "line over {limit} bytes refused": "超过 {limit} 字节的一行被拒绝",
    "line not finished within {seconds:g} s; dropped {count} bytes {data}":
        "一行没有在 {seconds:g} 秒内结束，丢弃了这 {count} 字节 {data}",
    # the HTTP server (httpwire.py, servers/http_server.py): a request's event, and the
    # sentence an answer carries in its body (the status line itself stays English)
    "{request} -> {status} ({size} bytes)": "{request} -> {status}（{size} 字节）",
    "{request} -> {status}: {reason}": "{request} -> {status}：{reason}",
    "(no request it could read)": "（读不出一个请求）",
    "the request line and headers are longer than {limit} bytes (MAX_HEADER_BYTES)":
        "请求行加头部超过了 {limit} 字节（MAX_HEADER_BYTES）",
    "the request line is not METHOD TARGET HTTP/x.y, separated by single spaces: {line}":
        "请求行不是用单个空格隔开的 METHOD TARGET HTTP/x.y：{line}",
    "{version} is not spoken here: this server speaks HTTP/1.0 and HTTP/1.1":
        "这里不支持 {version}：这个服务器只讲 HTTP/1.0 和 HTTP/1.1",
    "an HTTP/1.1 request must have exactly one Host header; this one has {count}":
        "HTTP/1.1 请求必须有且只有一个 Host 头；这个请求有 {count} 个",
    "this server does not read bodies sent in chunks (Transfer-Encoding: chunked): send "
    "Content-Length instead":
        "这个服务器不读分块发送的消息体（Transfer-Encoding: chunked）：请改用 Content-Length",
    "this server does not read bodies sent with Transfer-Encoding: {coding}; send "
    "Content-Length instead":
        "这个服务器不读用 Transfer-Encoding: {coding} 发送的消息体；请改用 Content-Length",
    "Content-Length must be one whole number of bytes, not {value}":
        "Content-Length 必须是一个表示字节数的整数，不能是 {value}",
    "the body is {size} bytes; this server takes at most {limit} bytes (MAX_BODY)":
        "请求的消息体有 {size} 字节；这个服务器最多收 {limit} 字节（MAX_BODY）",
    "a header line starts with a space: headers folded over several lines are obsolete "
    "(RFC 9112) and refused":
        "有一行头部以空格开头：跨多行折叠的头部已经过时（RFC 9112），不予接受",
    "a header line is not NAME: VALUE (a name with no spaces, then a colon, then visible "
    "text): {line}":
        "有一行头部不是 NAME: VALUE（不带空格的名字、冒号、再跟可见文字）：{line}",
    "the server is busy: {count} connections already (max_clients); try again in a moment":
        "服务器正忙：已经有 {count} 个连接（max_clients）；请稍后再试",
    "{method} is not served here: this server only reads (GET and HEAD)":
        "这里不处理 {method}：这个服务器只读（GET 和 HEAD）",
    "nothing at {target} in the served folder": "提供的文件夹里没有 {target}",
    "{target} is hidden: names starting with '.' (such as .git and .venv) are never served":
        "{target} 是隐藏的：以 '.' 开头的名字（比如 .git 和 .venv）一律不提供",
    "{target} tries to leave the served folder with '..'": "{target} 想用 '..' 跳出提供的文件夹",
    "{target} is a symbolic link that leads outside the served folder":
        "{target} 是一个指向文件夹外面的符号链接",
    "{target} holds a NUL or a backslash, which no file name served here has":
        "{target} 含有 NUL 或反斜杠，这里提供的文件名都没有这些字符",
    "{target} names a drive; only paths inside the served folder are served":
        "{target} 指定了一个盘符；只提供文件夹里面的路径",
    "{target} is not UTF-8 once its %XX are decoded": "{target} 的 %XX 解码之后不是 UTF-8",
    "the target must start with / (a path), not {target}":
        "请求目标必须以 / 开头（一个路径），不能是 {target}",
    "{target} cannot be opened here": "{target} 在这里打不开",
    "{target} cannot be read: no permission": "{target} 读不了：没有权限",
    "{target} is not a regular file (a pipe or a device): this server sends files and "
    "folders only":
        "{target} 不是普通文件（是管道或设备）：这个服务器只提供文件和文件夹",
    "moved to {url}": "已移到 {url}",
    "Index of {path}": "{path} 的目录",
    "(only the first {count} are listed)": "（只列出了前 {count} 项）",
    "there is no folder {folder}: give folder= a folder that exists":
        "没有文件夹 {folder}：folder= 要给一个存在的文件夹",
    "{folder} is a file, not a folder: give folder= a folder":
        "{folder} 是一个文件，不是文件夹：folder= 要给一个文件夹",
    "the request's head did not arrive whole within {seconds:g} s (header_timeout)":
        "请求的头部没有在 {seconds:g} 秒内完整到达（header_timeout）",
    "the body stopped arriving: nothing for {seconds:g} s (idle_timeout)":
        "请求的消息体不再到达：{seconds:g} 秒内什么也没收到（idle_timeout）",
    "no new request for {seconds:g} s on a kept-alive connection (idle_timeout); closed":
        "持久连接（keep-alive）上 {seconds:g} 秒没有新请求（idle_timeout），已关闭",
    "read nothing of the answer for {seconds:g} s (idle_timeout), disconnected":
        "{seconds:g} 秒内一点回应也没读（idle_timeout），已断开",
    # the files server (servers/files.py); its refusals reach a client too, as plain text:
    # zh/cli.py's FOREIGN_PATTERNS say them there, in the same words
    "{name!r}: {size} bytes coming": "{name!r}，共 {size} 字节",
    "{name!r}, sha256 ok": "{name!r}，sha256 校验通过",
    "nothing received for {seconds:g} s; disconnected": "{seconds:g} 秒内什么也没收到，已断开",
    "bad request: {error}": "请求有误：{error}",
    "unknown op {op}: use upload, download or list": "未知操作 {op}：请用 upload、download 或 list",
    "{name!r} is not inside the server's folder": "{name!r} 不在服务器的文件夹里",
    "the size must be a whole number of bytes, not {size}": "大小必须是整数个字节，而不是 {size}",
    "{name!r} is {size} bytes; this server takes at most {limit} bytes per file":
        "{name!r} 有 {size} 字节；这个服务器每个文件最多接收 {limit} 字节",
    "checksum mismatch: {name!r} was damaged on the way and was not kept; send it again":
        "校验和不符：{name!r} 在传输中损坏了，没有保存；请重新发送",
    "no file named {name!r} on the server; list_files() shows what there is":
        "服务器上没有名为 {name!r} 的文件；list_files() 会列出有哪些文件",
    "upload of {name!r}: the client went silent for {seconds:g} s; nothing kept":
        "上传 {name!r}：客户端 {seconds:g} 秒没有动静；什么也没有保存",
    "download of {name!r}: the client went silent for {seconds:g} s; nothing kept":
        "下载 {name!r}：客户端 {seconds:g} 秒没有动静；什么也没有保存",
    "upload of {name!r}: {error}; nothing kept": "上传 {name!r}：{error}；什么也没有保存",
    "download of {name!r}: {error}; nothing kept": "下载 {name!r}：{error}；什么也没有保存",
    "the upload was cut off after {done} of {size} bytes":  # shown after "上传 'NAME'："
        "在第 {done} 字节处（共 {size} 字节）被切断了",
    "the upload was cut off before its checksum": "上传在校验和之前被切断了",
    # the name check (filewire.check_name), on the server's side
    "a file name must be a non-empty string": "文件名必须是非空的字符串",
    "{name!r} is an absolute path; send a plain file name like 'notes.txt'":
        "{name!r} 是绝对路径：请只发文件名，比如 'notes.txt'",
    "{name!r} tries to leave the server's folder with '..'; send a plain file name":
        "{name!r} 想用 '..' 跳出服务器的文件夹：请只发文件名",
    "{name!r} contains {characters}; a name has no folder part and no control characters":
        "{name!r} 里有 {characters}：文件名不能带文件夹部分，也不能有控制字符",
    "{name!r} starts with '.': such names are hidden or reserved":
        "{name!r} 以 '.' 开头：这样的名字是隐藏的或保留的",
    "{name!r} is not valid text (a lone surrogate?)": "{name!r} 不是有效的文字（有落单的代理字符？）",
    "the name is {size} bytes of UTF-8; the limit is 255": "文件名的 UTF-8 编码有 {size} 字节，上限是 255",
}
