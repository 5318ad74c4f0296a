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
    # open_listener (echo_lesson/servers/base.py)
    "port {port} on {host} is already in use ({errno}). Another server, maybe one started by "
    "an earlier cell or another notebook's kernel, still listens there. Stop it first "
    "(server.stop() or echo_lesson.stop_all()), or pass port=0 to let the system pick a free "
    "port.":
        "{host} 上的端口 {port} 已经被占用（{errno}）。另一个服务器还在那里监听，"
        "可能是之前某个单元格或另一个 notebook 的内核启动的。请先停止它（server.stop() 或 "
        "echo_lesson.stop_all()），或者传入 port=0，让系统挑一个空闲端口。",
    "{host} is not an address of this computer ({errno}). A LAN address copied from another "
    "machine will not work here: use 127.0.0.1 to test on this computer.":
        "{host} 不是本机的地址（{errno}）。从另一台机器抄来的局域网地址在这里"
        "用不了：在本机上测试请用 127.0.0.1。",
    "warning: binding to {host} makes this server reachable from the network, not only from "
    "this computer. Anyone who can reach this machine can connect. Use 127.0.0.1 unless you "
    "mean it (a workshop, say).":
        "警告：绑定到 {host} 会让这个服务器可以从网络上访问，而不只是本机。任何能访问这台机器的人"
        "都能连上来。除非你确实需要（比如在课堂上），请用 127.0.0.1。",
    # start_server and the server panel (echo_lesson/runner.py, widgets/server_panel.py)
    "unknown kind {kind!r}: choose one of {kinds}": "未知的服务器类型 {kind!r}：请从 {kinds} 中选一个",
    "the {kind!r} server does not run a handler; use kind='threaded' or kind='single' "
    "with handler=":
        "{kind!r} 服务器不运行 handler；要运行你的 handler，请用 kind='threaded' 或 "
        "kind='single' 再加上 handler=",
    # the panels' friendly errors and the client panel's own checks
    "the server reset the connection (ConnectionResetError, {errno}).":
        "服务器重置了连接（ConnectionResetError，{errno}）。",
    "the connection was closed by the server ({name}).": "连接被服务器关闭了（{name}）。",
    "nothing is listening on {host}:{port} (connection refused, {errno}). "
    "Is the server running? Start one first, then check the port.":
        "{host}:{port} 上没有程序在监听（connection refused，{errno}）。服务器在运行吗？"
        "请先启动一个服务器，再检查端口。",
    "nothing is listening on {host}:{port}. Is the files server running?":
        "{host}:{port} 上没有程序在监听。文件服务器在运行吗？",
    "{address!r} is not an address: write HOST:PORT, e.g. 127.0.0.1:8080":
        "{address!r} 不是一个地址：请写成 HOST:PORT（主机:端口），例如 127.0.0.1:8080",
    "{character!r} cannot be written in {encoding}; choose UTF-8, or leave that character out.":
        "{character!r} 无法用 {encoding} 编码；请选择 UTF-8，或者去掉那个字符。",
    "the server closed the connection after {got} of {n} bytes":
        "服务器只发回了 {n} 字节中的 {got} 字节就关闭了连接",
    # the files server (servers/files.py): its start, and its refusals (the older ones and
    # its events are in zh/events.py)
    "{folder} is not a folder (it is a file, or inside one): pass folder= a folder; it is "
    "created if missing":
        "{folder} 不是文件夹（它是一个文件，或者在一个文件里面）：folder= 要给一个文件夹，"
        "不存在的话会自动创建",
    "removed {count} unfinished uploads (.upload-*.part) left in the folder by an earlier run":
        "删除了上次运行留在文件夹里的 {count} 个未完成的上传（.upload-*.part）",
    "replace must be true or false, not {value}": "replace 必须是 true 或 false，而不是 {value}",
    "the folder holds {count} files, too many to list in one reply of at most {limit} bytes":
        "文件夹里有 {count} 个文件，太多了，一个最多 {limit} 字节的回复列不下",
    "{name!r} is being uploaded by another client right now; try again when that upload is "
    "done": "另一个客户端正在上传 {name!r}；等那次上传结束后再试",
    "this server already takes {limit} uploads at once; try again in a moment":
        "这个服务器已经在同时接收 {limit} 个上传了；请稍后再试",
    "{name!r} is {size} bytes, and the uploads in progress already hold {reserved} of the "
    "{limit} bytes this server sets aside for them; try again when they are done":
        "{name!r} 有 {size} 字节，而正在进行的上传已经占用了服务器为上传预留的 {limit} 字节中的 "
        "{reserved} 字节；等它们结束后再试",
    "{name!r} is {size} bytes, and the server's disk has room for {room} more bytes; send a "
    "smaller file, or free some space on the server":
        "{name!r} 有 {size} 字节，而服务器的磁盘只能再放下 {room} 字节；请发一个小一点的文件，"
        "或者在服务器上腾出一些空间",
    "{name!r} is a symbolic link on the server; this server does not follow links, as one "
    "may point outside its folder":
        "{name!r} 在服务器上是一个符号链接；这个服务器不跟随链接，因为链接可能指向它的文件夹以外",
    "{name!r} cannot be read on the server: {error}": "服务器读不了 {name!r}：{error}",
    "{name!r} on the server is not a regular file (a folder, a pipe or a device); this "
    "server only sends and saves regular files":
        "服务器上的 {name!r} 不是普通文件（而是文件夹、管道或设备）；这个服务器只发送和保存普通文件",
    "a file named {name!r} is already on the server; upload it under another name, or pass "
    "replace=True (--replace) to overwrite it":
        "服务器上已经有名为 {name!r} 的文件；请换个名字上传，或者传入 replace=True（--replace）"
        "覆盖它",
    # the files server's cap and request deadline (servers/files.py)
    "the server is busy: {count} clients already (max_clients); try again in a moment":
        "服务器正忙：已经有 {count} 个客户端（max_clients）；请稍后再试",
    "the request did not arrive whole within {seconds:g} s; disconnected":
        "请求没能在 {seconds:g} 秒内完整到达；已断开",
    # the capacity test's reasons (echo_lesson/load.py, CapacityResult; "refused", "never
    # completed" and "no echo in time" are in cli.py) and the bench's backlog column
    "other error": "其他错误",
    "not tried": "没有尝试",
    "this process may open {files:,} files (its soft limit)":
        "这个进程最多能打开 {files:,} 个文件（它的软限制）",
    "one select() on this system watches at most {limit} sockets":
        "这个系统上一次 select() 最多只能盯 {limit} 个套接字",
    "this process ran out of file descriptors ({error})":
        "这个进程的文件描述符用完了（{error}）",
    "set by system": "由系统决定",
    # names that Windows cannot store, and names that are one file on Windows and macOS
    # (filewire.check_name, servers/files.py)
    "{name!r} contains {characters}, which Windows does not allow in a file name; this "
    "server takes only names that every system can store":
        "{name!r} 里有 {characters}，Windows 的文件名里不允许有这样的字符；这个服务器只接受"
        "每种系统都能保存的文件名",
    "{name!r} ends with a dot or a space, which Windows drops from a file name (it would be "
    "another name there); remove it":
        "{name!r} 以点或空格结尾，Windows 会把它从文件名里去掉（在那里就成了另一个名字）；"
        "请去掉它",
    "{name!r} is the name of a device on Windows ({device}), even with an extension; choose "
    "another name":
        "{name!r} 在 Windows 上是一个设备的名字（{device}），加了扩展名也一样；请换一个名字",
    "the server has {other!r}, which differs from {name!r} only in case or Unicode form: "
    "Windows and macOS take them for one file; upload it as {other!r} (with replace=True to "
    "overwrite it), or under another name":
        "服务器上有 {other!r}，它和 {name!r} 只差大小写或 Unicode 形式：Windows 和 macOS "
        "把它们当成同一个文件；请用 {other!r} 这个名字上传（要覆盖它就加上 replace=True），"
        "或者换一个名字",
    "{name!r} could not be saved on the server: {error} (on Windows, a file that a program "
    "holds open, being downloaded or edited, cannot be replaced; try again when it is "
    "closed)":
        "服务器没能保存 {name!r}：{error}（在 Windows 上，被某个程序打开着的文件，"
        "比如正在被下载或编辑，是不能替换的；等它关闭后再试）",
    "{what}: it arrived whole but could not be saved as {path}: {error} (on Windows, a file "
    "that a program holds open cannot be replaced; close it, or download to another name)":
        "{what}：文件完整地到达了，但没能保存为 {path}：{error}（在 Windows 上，被某个程序"
        "打开着的文件是不能替换的；请关闭它，或者下载成另一个名字）",
}
