"""Chinese for the errors a learner meets: port in use, an address that is not on this
computer, an unknown kind, a handler given to a kind that takes none, and the panels'
friendly errors. Each keeps its advice (what to do), and the errno beside it.
"""

TEXTS = {
    # the panels' friendly errors (echo_lesson/widgets/style.py)
    "no answer in time (timed out). Is the server busy with another client? "
    "A 'single' server serves one client at a time.":
        "没有及时收到应答（timed out，超时）。服务器是不是正忙着服务另一个客户端？"
        "'single' 服务器一次只服务一个客户端。",
}

# Texts with values in them: (pattern, Chinese template with the pattern's groups).
PATTERNS = [
    # open_listener (echo_lesson/servers/base.py)
    (r"port (\d+) on (\S+) is already in use \(((?:Errno|WinError) \d+)\)\. Another server, "
     r"maybe one started by an earlier cell or another notebook's kernel, still listens there\. "
     r"Stop it first \(server\.stop\(\) or echo_lesson\.stop_all\(\)\), or pass port=0 to let "
     r"the system pick a free port\.",
     "{1} 上的端口 {0} 已经被占用（{2}）。另一个服务器还在那里监听，"
     "可能是之前某个单元格或另一个 notebook 的内核启动的。请先停止它（server.stop() 或 "
     "echo_lesson.stop_all()），或者传入 port=0，让系统挑一个空闲端口。"),
    (r"(\S+) is not an address of this computer \(((?:Errno|WinError) \d+)\)\. A LAN address "
     r"copied from another machine will not work here: use 127\.0\.0\.1 to test on this "
     r"computer\.",
     "{0} 不是本机的地址（{1}）。从另一台机器抄来的局域网地址在这里"
     "用不了：在本机上测试请用 127.0.0.1。"),
    (r"warning: binding to (\S+) makes this server reachable from the network, not only from "
     r"this computer\. Anyone who can reach this machine can connect\. Use 127\.0\.0\.1 "
     r"unless you mean it \(a workshop, say\)\.",
     "警告：绑定到 {0} 会让这个服务器可以从网络上访问，而不只是本机。任何能访问这台机器的人"
     "都能连上来。除非你确实需要（比如在课堂上），请用 127.0.0.1。"),
    # start_server and the server panel (echo_lesson/runner.py, widgets/server_panel.py)
    (r"unknown kind (.+): choose one of (.+)", "未知的服务器类型 {0}：请从 {1} 中选一个"),
    (r"the (.+) server does not run a handler; use kind='threaded' or kind='single' "
     r"with handler=",
     "{0} 服务器不运行 handler；要运行你的 handler，请用 kind='threaded' 或 kind='single' "
     "再加上 handler="),
    # the panels' friendly errors and the client panel's own checks
    (r"the server reset the connection \(ConnectionResetError, ((?:Errno|WinError) \d+)\)\.",
     "服务器重置了连接（ConnectionResetError，{0}）。"),
    (r"the connection was closed by the server \((\w+)\)\.", "连接被服务器关闭了（{0}）。"),
    (r"nothing is listening on (\S+) \(connection refused, ((?:Errno|WinError) \d+)\)\. "
     r"Is the server running\? Start one first, then check the port\.",
     "{0} 上没有程序在监听（connection refused，{1}）。服务器在运行吗？"
     "请先启动一个服务器，再检查端口。"),
    (r"nothing is listening on (\S+)\. Is the files server running\?",
     "{0} 上没有程序在监听。文件服务器在运行吗？"),
    (r"(.+) is not an address: write HOST:PORT, e\.g\. 127\.0\.0\.1:8080",
     "{0} 不是一个地址：请写成 HOST:PORT（主机:端口），例如 127.0.0.1:8080"),
    (r"(.+) cannot be written in (\S+); choose UTF-8, or leave that character out\.",
     "{0} 无法用 {1} 编码；请选择 UTF-8，或者去掉那个字符。"),
    (r"the server closed the connection after (\d+) of (\d+) bytes",
     "服务器只发回了 {1} 字节中的 {0} 字节就关闭了连接"),
]
