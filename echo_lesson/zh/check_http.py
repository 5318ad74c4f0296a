"""Chinese for check_http_server's report (lesson 9): names of the checks, what was expected,
what happened, and the hints. Terms as the glossary says: 请求, 响应, 头部, 消息体, 持久连接."""

TEXTS = {
    # names of the checks
    "respond returns bytes": "respond 返回字节",
    "a request sent in pieces": "分几块发送的请求",
    "three files on one connection": "一条连接上的三个文件",
    "the right Content-Type": "正确的 Content-Type",
    "HEAD": "HEAD 请求",
    "a file that is not there": "不存在的文件",
    "a way out of the folder": "走出文件夹的路径",
    "a way out, percent-encoded": "走出文件夹的路径（百分号编码）",
    "a way out on Windows": "走出文件夹的路径（Windows）",
    "the folder's page": "文件夹的首页",
    "a hidden file": "隐藏文件",
    "20 KB of headers": "20 KB 的头部",
    "a method it does not serve": "不支持的方法",
    # what was expected (a status line stays as the protocol says it: 404 Not Found)
    "the whole response, as bytes": "完整的响应，以字节的形式",
    "200 OK, a Content-Length, the bytes of notes.txt": "200 OK、一个 Content-Length、notes.txt 的字节",
    "three answers on one kept-alive connection": "在一条持久连接上得到三个响应",
    "text/plain, text/html, image/svg+xml": "分别是 text/plain、text/html、image/svg+xml",
    "200, the Content-Length a GET gets, and no body": "200、和 GET 一样的 Content-Length、没有消息体",
    "GET /../outside.txt refused (403)": "拒绝 GET /../outside.txt（403）",
    "GET /%2e%2e/outside.txt refused (403)": "拒绝 GET /%2e%2e/outside.txt（403）",
    "GET /.secret refused (403)": "拒绝 GET /.secret（403）",
    "405 Method Not Allowed, with Allow: GET, HEAD": "405 Method Not Allowed，带 Allow: GET, HEAD",
    "GET /x%5c..%5c..%5coutside.txt refused (403)": "拒绝 GET /x%5c..%5c..%5coutside.txt（403）",
    "GET / answered with index.html": "GET / 得到 index.html",
    "run once respond returns bytes": "respond 返回字节之后再运行",
    "run within the time limit": "在时间限制之内运行",
    # what happened
    "no HTTP answer": "没有 HTTP 响应",
    "{size} bytes": "{size} 字节",
    "it raised {error}": "它抛出了 {error}",
    "it had not returned after {seconds:g} s": "{seconds:g} 秒后它还没有返回",
    "it returned {value}": "它返回了 {value}",
    "200, with no Content-Length": "200，但没有 Content-Length",
    "a body of {size} bytes that is not the file": "一个 {size} 字节的消息体，但不是那个文件",
    "200, {size} bytes, the file's": "200，{size} 字节，正是那个文件",
    "GET {target} got {status}": "GET {target} 得到了 {status}",
    "a second request on the same connection failed ({error})": "同一条连接上的第二个请求失败了（{error}）",
    "all three came, on one connection": "三个都在一条连接上收到了",
    "{target} came with Content-Type {kind}": "{target} 带的 Content-Type 是 {kind}",
    "each file with its own type": "每个文件都有自己的类型",
    "{status} with {size} bytes of body": "{status}，带 {size} 字节的消息体",
    "200, without the file's Content-Length": "200，但没有那个文件的 Content-Length",
    "the head, no body": "只有头部，没有消息体",
    "405, without Allow: GET, HEAD": "405，但没有 Allow: GET, HEAD",
    "200, index.html": "200，index.html",
    "served ({status})": "提供出去了（{status}）",
    "refused ({status})": "拒绝了（{status}）",
    "no answer ({error})": "没有响应（{error}）",
    # hints
    "respond must return: look for a loop that never ends, or a wait for something that "
    "never comes (respond does no I/O).":
        "respond 必须返回：找一找有没有永远不会结束的循环，或者在等一个永远不会来的东西（respond 不做 I/O）。",
    "Read the error above it, fix respond, and run its cell again.":
        "读一读上面的错误，改好 respond，再运行它所在的单元格。",
    "Return the whole response as bytes (httpwire.response builds it).":
        "以字节的形式返回完整的响应（httpwire.response 可以构造它）。",
    "The file is there: answer 200 and its bytes.": "文件就在那里：用 200 和它的字节来回答。",
    "An answer with no Content-Length: the client cannot tell where the body ends "
    "(httpwire.response says it for you).":
        "响应没有 Content-Length：客户端不知道消息体在哪里结束（httpwire.response 会替你写上）。",
    "Send the bytes of the file, all of them.": "发送文件的字节，一个都不能少。",
    "Answer every file of the folder with 200 and its bytes.": "文件夹里的每个文件都用 200 和它的字节来回答。",
    "Answer with keep_alive=request.keep_alive, and a Content-Length.":
        "回答时用 keep_alive=request.keep_alive，并带上 Content-Length。",
    "A browser needs {kind} for {target}: mimetypes.guess_type gives it from the name.":
        "浏览器需要的 Content-Type：{target} 是 {kind}；mimetypes.guess_type 可以根据文件名给出它。",
    "A HEAD answer has no body, only the head a GET gets (head_only=True).":
        "HEAD 的响应没有消息体，只有 GET 会得到的那个头部（head_only=True）。",
    "A HEAD answer says the Content-Length a GET would get: {size} here.":
        "HEAD 的响应要写出 GET 会得到的 Content-Length：这里是 {size}。",
    "A file that is not there is 404 Not Found.": "不存在的文件要回答 404 Not Found。",
    "Refuse any part of the path that is '..'.": "路径里任何一段是 '..' 都要拒绝。",
    "%2e%2e is .. once decoded: decode first (unquote), then refuse '..'.":
        "%2e%2e 解码之后就是 ..：先解码（unquote），再拒绝 '..'。",
    "Names starting with '.' are hidden (.git, .env): refuse them.":
        "以 '.' 开头的名字是隐藏的（.git、.env）：拒绝它们。",
    "The parser's HTTPError (431) must reach the client: answer it with "
    "httpwire.error_response, then close.":
        "解析器的 HTTPError（431）必须送到客户端：用 httpwire.error_response 回答，然后关闭连接。",
    "A 405 says what is allowed: the header (\"Allow\", \"GET, HEAD\").":
        "405 要说明允许哪些方法：加上头部 (\"Allow\", \"GET, HEAD\")。",
    "On Windows \\ separates folders too (and C: names a drive): refuse any part that holds \\ "
    "or :, with 403, whatever this computer is.":
        "在 Windows 上 \\ 也是路径分隔符（C: 是盘符）：路径里任何一段含有 \\ 或 :，都要回答 403，不管这台电脑是什么系统。",
    "A browser asks for /: answer a folder with its index.html.":
        "浏览器会请求 /：对一个文件夹，要用它的 index.html 来回答。",
    "Answer GET and HEAD; anything else gets 405, with an Allow header.":
        "回答 GET 和 HEAD；其他方法一律 405，并带上 Allow 头部。",
    "The checks above waited for answers that never came: make them pass, then run again.":
        "上面的检查一直在等永远不会来的响应：先让它们通过，再运行一次。",
    "Does respond return for every request? Call it by hand on this request and see.":
        "respond 对每个请求都会返回吗？亲手用这个请求调用它看看。",
    "your {name}()": "你的 {name}()",
}
