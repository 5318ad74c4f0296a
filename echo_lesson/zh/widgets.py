"""Chinese for the panels (lab, ServerPanel, ClientPanel, TimelinePanel, ChatPanel,
ProxyPanel, HttpPanel).

Buttons keep their English word beside the Chinese (`启动 Start`): tests and the browser
tests find them by it. `listening on HOST:PORT` stays verbatim inside the status line.
"""

TEXTS = {
    # buttons (the English word stays: a contract)
    "Start": "启动 Start",
    "Stop": "停止 Stop",
    "Send": "发送 Send",
    "Clear": "清空",
    "Draw timeline": "画时间线",
    # titles and their notes
    "Server": "服务器",
    "Client": "客户端",
    "Timeline": "时间线",
    "sends to the server panel above": "发送到上面的服务器面板",
    "sends to any echo server": "发送到任意一个回显服务器",
    "one row per client: when it was served, and by which thread":
        "每个客户端一行：它什么时候被服务，由哪个线程服务",
    # row labels, descriptions, placeholders, tooltips, notes
    "server": "服务器",
    "message": "消息",
    "encoding": "编码",
    "many at once": "几个客户端同时发",
    "host": "主机",
    "port": "端口",
    "type a message": "输入一条消息",
    "raw bytes (hex)": "原始字节（hex）",
    "what Python and the web use": "Python 和网页使用的编码",
    "what many Windows TCP tools send (Chinese)": "很多 Windows 网络调试助手发送的编码（中文）",
    "port 0 = let the system pick a free port": "端口 0 = 让系统挑一个空闲端口",
    "connected clients: ": "已连接的客户端：",
    "the server's events will appear here": "服务器的事件会显示在这里",
    "echoes will appear here: type a message and click Send":
        "回显会显示在这里：输入一条消息，然后点击 发送 Send",
    # the echo table's header
    "sent": "发送的",
    "echo": "回显",
    "bytes": "字节数",
    "round trip": "往返时间",
    # status lines
    "stopped": "已停止",
    "stopped (it was not running)": "已停止（它本来就没有在运行）",
    # messages
    "the echo differs from what was sent": "回显和发送的内容不一样",
    "some echoes differ": "有些回显和发送的内容不一样",
    "type a message first, then Send.": "请先输入一条消息，再点 发送 Send。",
    "type a message first.": "请先输入一条消息。",
    "no server yet: click Start in the server panel, then Send.":
        "还没有服务器：先在服务器面板里点 启动 Start，再点 发送 Send。",
    "connection refused: nothing is listening there. Is the server running?":
        "连接被拒绝（connection refused）：那里没有程序在监听。服务器在运行吗？",
    "send some messages, then click Draw timeline.": "先发几条消息，再点击“画时间线”。",
    "nothing to draw yet: start the server and send a message first.":
        "还没有可画的内容：请先启动服务器并发送一条消息。",
    "no client has connected yet: send a message first.": "还没有客户端连接过：请先发送一条消息。",
    "1 client so far.": "到目前为止 1 个客户端。",
    # the chat panel
    "* (disconnected)": "*（已断开连接）",
    # texts with values in them: {fields} are filled in after translation
    "listening on {host}:{port}": "运行中：listening on {host}:{port}",
    "Send from {n} client": "用 {n} 个客户端同时发送 Send",
    "Send from {n} clients": "用 {n} 个客户端同时发送 Send",
    "a {kind} echo server on this computer": "本机上的一个 {kind} 回显服务器",
    "an HTTP server for a folder on this computer": "本机上提供一个文件夹的 HTTP 服务器",
    "serving your function {name}() on this computer": "在本机上运行你的函数 {name}()",
    "your handler: {name}": "你的 handler：{name}",
    "echoed {nbytes} bytes in {ms:.1f} ms": "收到 {nbytes} 字节的回显，用时 {ms:.1f} ms",
    "{n} clients connected at once: all {n} echoes came back.":
        "{n} 个客户端同时连接：{n} 条回显全部收到了。",
    "{good} of {n} echoes came back. First problem: {first}": "{n} 条回显只收到 {good} 条。第一个问题：{first}",
    "{count} clients so far.": "到目前为止 {count} 个客户端。",
    "could not start: {error}": "无法启动：{error}",
    "the panel stopped following the log: {error}": "面板停止了跟踪日志：{error}",
    "{name} says... (Enter sends)": "{name} 说……（按回车发送）",
    # the Proxy panel (widgets/proxy_panel.py)
    "Proxy": "代理",
    "between your client and {target}: the network's misbehaviour, switched on and off":
        "在你的客户端和 {target} 之间：网络的种种毛病，可以随手打开、关掉",
    "split (bytes)": "切块（字节）",
    "delay (ms)": "延迟（毫秒）",
    "merge (ms)": "合并（毫秒）",
    "rate (bytes/s)": "速率（字节/秒）",
    "reset after (bytes)": "多少字节后重置",
    "drop after (bytes)": "多少字节后断线",
    "move a slider, then send a message through the proxy.": "拖动一个滑块，然后通过代理发一条消息。",
    "chaos: {settings}": "混乱设置：{settings}",
    "{nbytes} bytes sent, {back} came back": "发出 {nbytes} 字节，收回 {back} 字节",
    "the proxy reset the connection (reset_after): the client got {name}.":
        "是代理重置了连接（reset_after）：客户端收到了 {name}。",
    "no answer: the proxy went silent (drop_after), until the timeout ({timeout:g} s).":
        "没有回答：代理不出声了（drop_after），一直到超时（{timeout:g} 秒）。",
    # the HTTP panel (widgets/http_panel.py): 请求 request, 响应 response, 头部 headers,
    # 持久连接 keep-alive (as lesson 09 says it); the status line stays as the server sent it
    "HTTP client": "HTTP 客户端",
    "sends requests on a real connection": "在一个真实的连接上发送请求",
    "sends requests to {address} on a real connection": "在一个真实的连接上向 {address} 发送请求",
    "request": "请求",
    "headers": "头部",
    "request (as sent)": "请求（原样发出的字节）",
    "response (as received)": "响应（原样收到的字节）",
    "keep-alive: send on the same connection": "持久连接（keep-alive）：在同一个连接上发送",
    "extra headers, one per line: Name: value (e.g. Connection: close)":
        "额外的头部，每行一个：Name: value（例如 Connection: close）",
    "choose a method and a target, then Send: the bytes both ways appear below, side by side.":
        "选好方法和目标，再点 发送 Send：两个方向的字节会并排显示在下面。",
    "nothing sent yet": "还没有发送任何东西",
    "nothing received yet": "还没有收到任何东西",
    "nothing received": "什么也没有收到",
    "on a new connection": "用的是一个新连接",
    "on the same connection (keep-alive)": "用的是同一个连接（持久连接，keep-alive）",
    "{status_line} · {nbytes} bytes in {ms:.1f} ms, {connection}":
        "{status_line} · {nbytes} 字节，用时 {ms:.1f} ms，{connection}",
    "the response's headers are longer than {limit} bytes: not a response this panel reads":
        "响应的头部超过了 {limit} 字节：这不是这个面板能读的响应",
    "the response is not HTTP: it starts with {start!r}": "收到的不是 HTTP 响应：它以 {start!r} 开头",
    "the body is {size} bytes; the panel reads at most {limit}: ask for a smaller file":
        "响应的消息体有 {size} 字节；面板最多读 {limit} 字节：请换一个小一点的文件",
    "the server closed the connection before its response was complete ({got} bytes came).":
        "服务器在响应完整之前关闭了连接（只收到 {got} 字节）。",
    "({nbytes} bytes of {kind})": "（{nbytes} 字节的 {kind}）",
    "({nbytes} bytes of binary data)": "（{nbytes} 字节的二进制数据）",
    "… ({nbytes} more bytes)": "……（还有 {nbytes} 字节）",
}
