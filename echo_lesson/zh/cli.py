"""Chinese for the command line (`python -m echo_lesson --lang zh ...`, echo_lesson/cli.py).

TEXTS: the CLI's own messages and help, and the errors of transfer.py, filewire.py and
protocol.py it shows, keyed by their English template ({0} or {name} are filled in after
translation, so both sides must have the same fields: a test checks).
FOREIGN_PATTERNS: texts the package does not make (the OS, argparse): the only patterns in
the catalog. (A files server's refusal travels with its template: filewire.refusal.)
Never here: `listening on HOST:PORT` (a contract line) and the echoed data.
"""
TEXTS: dict[str, str] = {
    # serve
    "error: {0}": "错误：{0}",
    "press Ctrl+C to stop": "按 Ctrl+C 停止服务器",
    "stopping...": "正在停止……",
    "({0:,} events not shown: the server's log keeps the latest {1:,}, and this console fell "
    "behind)": "（有 {0:,} 个事件没有显示：服务器的日志只保留最近的 {1:,} 个，而这个终端落后了）",
    "{0} is only for --kind {1}": "{0} 只能和 --kind {1} 一起用",
    "{0} must be more than 0, not {1}": "{0} 必须大于 0，而不是 {1}",
    "hint: another program holds that port (a server in another terminal? stop it with "
    "Ctrl+C there), or choose another port: --port 0 lets the system pick a free one":
        "提示：另一个程序占着这个端口（是不是另一个终端里的服务器？在那里按 Ctrl+C 停止它），"
        "或者换一个端口：--port 0 让系统挑一个空闲端口",
    "hint: leave out --host (127.0.0.1, this computer only), or give an address this "
    "computer has (`ip addr` or `ipconfig` lists them; 0.0.0.0 means all of them)":
        "提示：去掉 --host（默认 127.0.0.1，只有本机能连），或者填一个本机真有的地址"
        "（`ip addr` 或 `ipconfig` 会列出来；0.0.0.0 表示本机所有地址）",
    # upload / download
    "uploading {0}": "正在上传 {0}",
    "uploaded {0}: {1} bytes, sha256 {2}": "已上传 {0}：{1} 字节，sha256 {2}",
    "downloading {0}": "正在下载 {0}",
    "downloaded {0} to {1}: {2} bytes, sha256 {3}": "已下载 {0} 到 {1}：{2} 字节，sha256 {3}",
    "there is no folder {0!r} here: create it first, or choose another --to":
        "这里没有文件夹 {0!r}：先创建它，或者用 --to 换一个地方",
    # send
    "[{0} bytes, {1:.1f} ms, ok]": "[{0} 字节，{1:.1f} 毫秒，回显一致]",
    "[{0} bytes, {1:.1f} ms, MISMATCH]": "[{0} 字节，{1:.1f} 毫秒，回显不一致 MISMATCH]",
    # student-edition, bench
    "no notebooks in {0}": "{0} 里没有 notebook（.ipynb 文件）：用 --source 指定教师版所在的文件夹",
    "wrote {0} student notebooks to {1}": "已生成 {0} 个学生版 notebook，保存在 {1}",
    "saved {0} and {1}": "已保存 {0} 和 {1}",
    # workspace, lab
    "there is no course in {0}: run this in the course's folder, or give --source FOLDER "
    "(the folder that holds {1})":
        "{0} 里没有课程：请在课程的文件夹里运行，或者用 --source 指定存放 {1} 的文件夹",
    "{0} is a file, not a folder: choose another folder for your notebooks":
        "{0} 是一个文件，不是文件夹：请为你的 notebook 换一个文件夹",
    "there is no notebook {0!r} in the course: give a name such as 01_first_echo_server.ipynb, "
    "or zh/01_first_echo_server.ipynb for the Chinese edition":
        "课程里没有 notebook {0!r}：请写出它的名字，比如 01_first_echo_server.ipynb，"
        "中文版是 zh/01_first_echo_server.ipynb",
    "moved your {0} aside to {1}": "你的 {0} 已挪到一边，改名为 {1}（没有删除）",
    "reset {0}: the course's version": "已重置 {0}：现在是课程的版本",
    "renamed  {0} -> {1} (the course renumbered its lessons; what you wrote in it stays)":
        "改名     {0} -> {1}（课程给各课重新编了号；你在里面写的内容都还在）",
    "created  {0}": "新建  {0}",
    "updated  {0}": "更新  {0}",
    "kept     {0} (up to date)": "保留  {0}（已是最新）",
    "kept     {0} (you changed it: your work stays; --reset {0} takes the course's new version "
    "and moves yours aside)":
        "保留  {0}（你改过它：你的作业原样保留；用 --reset {0} 可换成课程的新版本，"
        "你的那份会被挪到一边）",
    "kept     {0} (it was here before and differs from the course's: --reset {0} takes the "
    "course's version and moves yours aside)":
        "保留  {0}（它原来就在这里，和课程的版本不同：用 --reset {0} 可换成课程的版本，"
        "你的那份会被挪到一边）",
    "your notebooks are in {0}: start with {1}": "你的 notebook 在 {0} 里：从 {1} 开始",
    "running as root (a container or a cloud machine?): passing --allow-root, which "
    "JupyterLab asks for then":
        "正以 root 身份运行（在容器或云主机里？）：已加上 JupyterLab 这时要求的 --allow-root",
    "bench": "基准测试",
    "bench: {0} measurements": "基准测试：共 {0} 项测量",
    "{0}, {1:,} connections": "{0}，{1:,} 个连接",
    "server": "服务器",
    "round trips/s": "往返次数/秒",
    "vs best peer": "与最佳参照比",
    "errors": "错误数",
    "listen backlog": "积压队列",
    "held and echoing": "保持住并能回显",
    "refused": "被拒绝",
    "never completed": "握手没完成",
    "no echo in time": "没及时回显",
    "connect s": "连接用时 s",
    "fd limit": "fd 上限",
    "{0:,} not tried: {1}": "{0:,} 个没有尝试：{1}",
    "server on CPU 0, clients on the others": "服务器在 CPU 0 上，客户端在其余 CPU 上",
    "not pinned": "未绑定 CPU",
    "* a stdlib peer. {0} B messages, {1:g} s per run, median of {2} fresh starts; "
    "load clients in {3} process(es); {4}; {5} CPUs; fd soft limit {6}.":
        "* 标准库的参照服务器。消息 {0} 字节，每轮 {1:g} 秒，取 {2} 次全新启动的中位数；"
        "压测客户端在 {3} 个进程里；{4}；共 {5} 个 CPU；文件描述符软限制 {6}。",
    # the parser
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示这条帮助并退出",
    "{0}: error: {1} ({0} --help lists the options)": "{0}：错误：{1}（{0} --help 会列出所有选项）",
    "a port is a whole number from 0 to 65535, not {value!r}":
        "端口是 0 到 65535 之间的整数，而不是 {value!r}",
    "a timeout is a number of seconds above 0, not {value!r}":
        "超时是大于 0 的秒数，而不是 {value!r}",
    "{value!r} is not an encoding Python knows: try utf-8 or gbk":
        "{value!r} 不是 Python 认识的编码：试试 utf-8 或 gbk",
    "{path} is a file, not a folder: give --folder a folder (it is created if missing)":
        "{path} 是一个文件，不是文件夹：--folder 要给一个文件夹（不存在的话会自动创建）",
    "Echo servers and clients for the course.": "本课程的回显（echo）服务器和客户端。",
    "language of the messages: en (English) or zh (Chinese); default: $ECHO_LESSON_LANG, "
    "else en": "提示信息的语言：en（英文）或 zh（中文）；默认取环境变量 $ECHO_LESSON_LANG，"
               "没有设置就用 en",
    "run a reference server until Ctrl+C": "运行一个参考服务器，直到按 Ctrl+C",
    "address to bind (default 127.0.0.1: this computer only)":
        "要绑定（bind）的地址（默认 127.0.0.1：只有本机能连）",
    "0 lets the system choose": "0 表示让系统挑一个空闲端口",
    "--kind robust, chat, files or http: how many clients it serves at once; when full, "
    "a newcomer takes the place of the slowest client, or is told the server is full "
    "(default 100)": "用于 --kind robust、chat、files 或 http：同时最多服务几个客户端；满了以后，新来的客户端"
                     "顶替最慢的那个，或者被告知服务器已满（默认 100）",
    "--kind robust, files or http: disconnect a client that sends or reads nothing for "
    "this many seconds (default 60 for robust, 30 for files, 15 for http)":
        "用于 --kind robust、files 或 http：客户端这么多秒既不发也不读，就断开它（robust 默认 60，files 默认 30，http 默认 15）",
    "print connections and errors only, no line per recv and send":
        "只打印连接和错误，不再每次 recv、send 都打印一行",
    "--kind files or http: the folder it serves (files: default ./echo-files, created if "
    "missing; http: default the current folder)":
        "只用于 --kind files 或 http：服务器提供的文件夹（files 默认 ./echo-files，不存在就创建；"
        "http 默认当前文件夹）",
    "the http kind against the standard library's ThreadingHTTPServer instead: keep-alive "
    "GETs of one file of --size bytes (--kinds, --peers and --capacity do not apply)":
        "改为比较 http 类型和标准库的 ThreadingHTTPServer：在持久连接（keep-alive）上反复 GET "
        "一个 --size 字节的文件（--kinds、--peers 和 --capacity 不适用）",
    "send a file to a files server": "把一个文件上传到文件服务器",
    "fetch a file from a files server": "从文件服务器下载一个文件",
    "the file to send": "要上传的文件",
    "the name on the server (default: the file's own)": "在服务器上的文件名（默认用原文件名）",
    "overwrite a file of that name on the server (without it, the server refuses a name it "
    "already has)": "覆盖服务器上同名的文件（不加这个选项，服务器会拒绝它已经有的文件名）",
    "the file's name on the server": "文件在服务器上的名字",
    "a folder or a file path (default .)": "保存到的文件夹或文件路径（默认 .，即当前文件夹）",
    "send messages to an echo server and check the echoes":
        "向回显服务器发送消息，并检查回显是否一致",
    "how to turn the text into bytes (utf-8, gbk)": "把文字编码成字节的方式（utf-8、gbk）",
    "write the notebooks with solutions replaced by stubs":
        "生成学生版 notebook：答案换成待填写的空函数",
    "where the instructor edition is": "教师版 notebook 所在的文件夹",
    "which reference server (default threaded: one thread per client)":
        "用哪种参考服务器（默认 threaded：每个客户端一个线程）",
    "the server's address (default 127.0.0.1: this computer)":
        "服务器的地址（默认 127.0.0.1：本机）",
    "the server's port (default 8080)": "服务器的端口（默认 8080）",
    "seconds to wait for the server before giving up (default 10)":
        "等服务器回应的秒数，超过就放弃（默认 10）",
    "seconds to wait for each echo before giving up (default 5)":
        "等每条回显的秒数，超过就放弃（默认 5）",
    "a message to send; each one is sent, then its echo is read and compared":
        "要发送的消息；每条发出后读回它的回显并比较",
    "the folder to write the student notebooks to": "学生版 notebook 要写到的文件夹",
    "write your own copy of the course (exercises to do) into DIR; run again to get updates: "
    "notebooks you changed are kept":
        "把课程复制一份给你自己（练习留给你做），写到 DIR；再运行一次可获取更新："
        "你改过的 notebook 会原样保留",
    "bring your copy of the course up to date, then open JupyterLab there (what `make lab` "
    "runs)": "把你那份课程更新到最新，然后在那里打开 JupyterLab（`make lab` 做的就是这个）",
    "your folder (default my-notebooks)": "你的文件夹（默认 my-notebooks）",
    "where the instructor edition is (default: the course's notebooks folder)":
        "教师版 notebook 所在的文件夹（默认：课程的 notebooks 文件夹）",
    "put this notebook back as the course has it; your copy is moved aside under a dated "
    "name, never deleted": "把这个 notebook 恢复成课程的版本；你的那份会改名（带日期）挪到一边，"
                           "绝不删除",
    "start JupyterLab without opening a browser": "启动 JupyterLab，但不打开浏览器",
    "JupyterLab's port (default 8888)": "JupyterLab 的端口（默认 8888）",
    "load-test the course's servers and the stdlib's, side by side (a table, JSON and a PNG "
    "plot)": "对本课程的服务器和标准库的服务器并排做压力测试（输出表格、JSON 和 PNG 图）",
    "course kinds, comma-separated (default threaded,pool,selectors,asyncio)":
        "要测的课程服务器种类，用逗号分隔（默认 threaded,pool,selectors,asyncio）",
    "stdlib peers, comma-separated: socketserver,asyncio-streams[,uvloop] (default: all "
    "available; '' for none)": "作参照的标准库服务器，用逗号分隔：socketserver,asyncio-streams"
                               "[,uvloop]（默认：能用的全部；'' 表示不要）",
    "clients at once, e.g. 1,10,100": "同时连接的客户端数，例如 1,10,100",
    "message size in bytes": "每条消息的字节数",
    "seconds per measurement": "每次测量的秒数",
    "fresh starts per server (median)": "每个服务器全新启动几次（取中位数）",
    "processes running the clients": "运行客户端的进程数",
    "connections held at once in the capacity test (0: skip it)":
        "容量测试中同时保持的连接数（0：跳过这项测试）",
    "do not pin server and clients to cores": "不把服务器和客户端绑定到固定的 CPU 核",
    "folder for the JSON and PNG": "保存 JSON 和 PNG 的文件夹",
    # transfer.py, filewire.py and protocol.py (a client's errors)
    "there is no file {path!r} here to upload":
        "这里没有文件 {path!r} 可以上传：检查文件名和当前所在的文件夹",
    "{path} shrank while it was sent ({done} of {size} bytes)":
        "{path} 在上传过程中变小了（{size} 字节只读到 {done} 字节）：等写它的程序写完，再上传一次",
    "upload of {name!r}": "上传 {name!r}",
    "download of {name!r}": "下载 {name!r}",
    "{what}: refused by the server: {why}": "{what}：服务器拒绝了：{why}",
    "{what}: the server does not speak the files protocol (is it an echo server?): start one "
    "with {command}": "{what}：这个服务器不懂文件传输协议（是回显服务器吗？）：请这样启动一个：{command}",
    "{what}: the server closed the connection ({error})": "{what}：服务器关闭了连接（{error}）",
    "{what} was cut off after {done} of {size} bytes: {error}":
        "{what} 在发出 {size} 字节中的 {done} 字节后中断了：{error}",
    "{what} was cut off after {done} of {size} bytes": "{what} 在收到 {size} 字节中的 {done} 字节后中断了",
    "{what} was cut off: {error}": "{what} 中断了：{error}",
    "{what}: the server's checksum does not match ours":
        "{what}：服务器算出的校验和与我们的不一致，请再上传一次",
    "{what}: checksum mismatch, file discarded": "{what}：校验和不一致，文件已丢弃，请再下载一次",
    "the header is not UTF-8 JSON: {error}":
        "收到的头部不是 UTF-8 编码的 JSON：对方是文件服务器（--kind files）吗？（{error}）",
    "the header must be a JSON object": "头部必须是一个 JSON 对象：对方是文件服务器（--kind files）吗？",
    "frame of {length} bytes announced; the limit is {limit}":
        "对方声称要发 {length} 字节的帧，超过了上限 {limit}：对方是文件服务器（--kind files）吗？",
    "the header is nested too deeply to read; a header is one flat JSON object":
        "头部嵌套得太深，无法读取；头部应该是一个扁平的 JSON 对象",
    "{what}: no answer from the server within {seconds:g} s": "{what}：服务器在 {seconds:g} 秒内没有回应",
    "{what}: the server's reply is not one of the files protocol ({error})":
        "{what}：服务器的回复不符合文件传输协议（{error}）",
    "the list of files is not a list of [name, size] pairs": "文件列表不是由 [名字, 大小] 对组成的列表",
    # the bench
    "unknown server {name!r}: kinds are {kinds}; peers are {peers}":
        "没有叫 {name!r} 的服务器：课程的服务器种类有 {kinds}；标准库参照服务器有 {peers}",
    # proxy
    "forwarding to {0}:{1}; chaos: {2}": "转发到 {0}:{1}；混乱设置：{2}",
    "give the target as HOST:PORT, e.g. 127.0.0.1:8080, not {value!r}":
        "目标要写成 HOST:PORT，例如 127.0.0.1:8080，不能是 {value!r}",
    "give a number above 0, not {value!r}": "请给一个大于 0 的数，不能是 {value!r}",
    "forward connections to a server, re-cutting the bytes like a real network, until Ctrl+C":
        "把连接转发给一个服务器，像真实网络那样重新切分字节流，直到按 Ctrl+C",
    "the server to forward to, e.g. 127.0.0.1:8080": "要转发到的服务器，例如 127.0.0.1:8080",
    "the proxy's own port on 127.0.0.1 (default 0: the system picks)":
        "代理自己在 127.0.0.1 上的端口（默认 0：由系统挑选）",
    "send in chunks of at most N bytes, each its own send": "切成每块最多 N 字节，每块单独 send 一次",
    "hold writes for MS milliseconds and send them as one": "把写入攒 MS 毫秒，再合成一次发出",
    "every byte arrives MS milliseconds later": "每个字节都晚到 MS 毫秒",
    "at most this many bytes per second": "每秒最多这么多字节",
    "after this many bytes, reset both sides (RST)": "转发这么多字节后，重置（RST）两边",
    "after this many bytes, forward and read nothing more: a dead link":
        "转发这么多字节后，什么都不再转发、也不再读：像一条断了的线路",
    "print connections and errors only, no line per chunk": "只打印连接和错误，不再每转发一块都打印一行",
    # student-branch (handout.py)
    "{0} is not a git repository: give --repo the course's clone":
        "{0} 不是一个 git 仓库：请用 --repo 给出课程的克隆",
    "branch {0} already holds this student edition: nothing to commit":
        "分支 {0} 里已经是这个学生版了：没有要提交的",
    "committed the student edition to branch {0}: {1} (push it: git push origin {0})":
        "已把学生版提交到分支 {0}：{1}（推送：git push origin {0}）",
    "commit the student edition to a git branch for JupyterHub (nbgitpuller)":
        "把学生版提交到一个 git 分支，供 JupyterHub（nbgitpuller）使用",
    "the course's git clone (default .)": "课程的 git 克隆（默认 .）",
    "the branch (default student)": "分支（默认 student）",
    "your JupyterHub's address, to print the links to hand out": "你的 JupyterHub 地址，用来打印要发给学员的链接",
    "the course repository's public URL, for the links": "课程仓库的公开 URL，用在链接里",
    # nbgrader-export (nbgrader_export.py)
    "no lesson with an exercise in {0}": "{0} 里没有带练习的课",
    "then, in {0}: nbgrader generate_assignment ASSIGNMENT, and after collecting: nbgrader "
    "autograde ASSIGNMENT": "然后在 {0} 里运行：nbgrader generate_assignment 作业名；收齐作业后运行："
                            "nbgrader autograde 作业名",
    "write the lessons as nbgrader source assignments (for grading with nbgrader)":
        "把各课写成 nbgrader 的源作业（用 nbgrader 评分时用）",
    "the nbgrader course folder to write": "要写入的 nbgrader 课程文件夹",
    "which lessons, comma-separated (default: every lesson with an exercise), e.g. "
    "01_first_echo_server": "哪几课，用逗号分隔（默认：每一课带练习的课），例如 01_first_echo_server",
}

# Texts the package does not make itself, so they have no template to look up: they are
# matched here, in this one place, and nowhere else. Each group is translated on its own
# (it may be one of these texts too), then put in the Chinese.
FOREIGN_PATTERNS: list[tuple[str, str]] = [
    # the operating system (an OSError's strerror, or str() of one)
    (r"Permission denied",  # serve --port 80 without root: exc.strerror
     "权限不够：1024 以下的端口要管理员权限才能用，换一个大于 1024 的端口，比如 --port 8080"),
    (r"timed out", "超时了：服务器没有在限定时间内回应（可以用 --timeout 多等一会儿）"),
    (r"\[Errno (-?\d+)\] (?:Name or service not known|Temporary failure in name resolution|"
     r"No address associated with hostname|nodename nor servname provided, or not known)",
     "找不到这个主机名（Errno {0}）：检查 --host 是否写对了；在本机测试就用 127.0.0.1"),
    (r"\[Errno (\d+)\] Connection reset by peer",
     "连接被对方重置了（Errno {0} / WinError 10054）：对方突然关闭了连接"),
    (r"\[Errno (\d+)\] Broken pipe", "管道已断开（Errno {0}）：对方已经关闭了连接"),
    (r"\[Errno (\d+)\] Connection refused",
     "连接被拒绝（Errno {0} / WinError 10061）：这个端口上没有服务器在监听，先启动服务器"),
    (r"\[Errno (\d+)\] No such file or directory: (.+)", "没有这个文件或文件夹（Errno {0}）：{1}"),
    (r"\[Errno (\d+)\] Permission denied: (.+)", "没有权限（Errno {0}）：{1}"),
    (r"\[Errno (\d+)\] Is a directory: (.+)", "这是一个文件夹，不是文件（Errno {0}）：{1}"),
    # argparse
    (r"argument (\S+?): (.*)", "参数 {0}：{1}"),
    (r"invalid choice: (.+) \(choose from (.+)\)", "无效的取值 {0}（可选：{1}）"),
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (r"invalid (\w+) value: (.+)", "无效的 {0} 值：{1}"),
    (r"expected one argument", "后面要跟一个值"),
    (r"ambiguous option: (.+) could match (.+)", "有歧义的选项：{0} 可以匹配 {1}"),
]
