"""Chinese for check_server's report: the frame, the names of the checks, what was expected,
what happened, and the hints."""

# check_server: names of checks, what was expected, what happened, hints, and the frame.
TEXTS = {
    # the report's frame
    "pass": "通过", "FAIL": "失败", "✔ passed": "✔ 通过", "✘ failed": "✘ 失败",
    "expected: ": "期望：", "hint: ": "提示：", ": ": "：", " Well done!": "做得好！",
    "check": "检查项", "result": "结果", "expected": "期望", "what happened": "实际情况",
    "hint": "提示", "Not yet: ": "还没完成：",
    # names of the checks
    "one echo": "一次回显",
    "bytes that are not text": "非文本字节",
    "a message split across sends": "分几次发送的一条消息",
    "pieces cut by the network": "被网络切成小块",
    "{data} back through a network that cuts it into pieces of at most {split} bytes":
        "经过一个把字节流切成最多 {split} 字节小块的网络，{data} 原样回来",
    "Through pieces of at most {split} bytes, one recv got only part of the message: one "
    "recv is not one message. Call recv in a loop and echo each piece, until recv returns "
    "b''.": "切成最多 {split} 字节的小块后，一次 recv 只拿到了消息的一部分：一次 recv 不等于一条消息。"
            "要在循环里调用 recv，收到一块就回显一块，直到 recv 返回 b''。",
    "every message back through pieces of {sizes} bytes": "切成 {sizes} 字节的小块后，每条消息都原样回来",
    "all came back, byte for byte": "全部原样回来，一个字节都不差",
    "two clients at the same time": "两个客户端同时连接",
    "one client at a time": "一次一个客户端",
    "a client that disconnects abruptly": "客户端突然断开",
    "a 1 MB message": "1 MB 的消息",
    "closes when the client is done": "客户端发完后关闭连接",
    "stops without leaks": "干净地停止，不泄漏",
    "no threads left behind": "没有遗留的线程",
    "no exceptions in the handler": "handler 中没有异常",
    "the other checks": "其余检查",
    # what was expected
    "all 1048576 bytes back, in order": "按顺序收回全部 1048576 字节",
    "the second client is answered while the first is still connected":
        "第一个客户端还连着时，第二个客户端也得到应答",
    "the second client waits while the first is connected": "第一个客户端连着时，第二个客户端等待",
    "the server closes that connection and keeps serving others":
        "服务器关闭那条连接，继续服务其他客户端",
    "the echo of b'bye', then the server closes the connection":
        "先收到 b'bye' 的回显，然后服务器关闭连接",
    "stop() ends every thread within 1 s": "stop() 在 1 秒内结束所有线程",
    "no exception": "没有异常",
    "every thread the handler starts ends when its client leaves":
        "handler 启动的每个线程都在它的客户端离开时结束",
    "the handler returns when its client leaves, and the connection closes":
        "客户端离开时 handler 返回，连接随之关闭",
    "run once one echo works": "第一项回显通过后再运行",
    "run once every thread ends when its client leaves": "等每个线程都能在客户端离开时结束，再运行",
    "run within check_server's time limit": "在 check_server 的时间上限内运行",
    "the check runs to the end": "检查能运行到底",
    # what happened
    "nothing came back": "什么也没收回",
    "both were answered": "两个都得到了应答",
    "the first client got no echo": "第一个客户端没有收到回显",
    "the second client got no answer while the first was connected":
        "第一个客户端连着时，第二个客户端没有得到应答",
    "the second client was served while the first was still connected":
        "第一个客户端还连着时，第二个客户端就得到了服务",
    "the second client was served only after the first left": "第一个客户端离开后，第二个客户端才得到服务",
    "the second client got no answer, even after the first left":
        "第一个客户端离开后，第二个客户端仍然没有得到应答",
    "the handler was still running after its client left": "客户端离开后，handler 还在运行",
    "the server cleaned up and served the next client": "服务器做了清理，并服务了下一个客户端",
    "the vanished client's handler never finished": "消失的客户端的 handler 一直没有结束",
    "the next client got no echo": "下一个客户端没有收到回显",
    "it echoed and closed": "回显后关闭了连接",
    "stopped at once, no thread left": "立即停止，没有遗留线程",
    "the handler had to be stopped by force": "handler 不得不被强制停止",
    "none": "无",
    "not run": "未运行",
    # hints
    "Read with conn.recv(...), then send the same bytes back with conn.sendall(data).":
        "用 conn.recv(...) 读取，再用 conn.sendall(data) 把同样的字节发回去。",
    "Send back the bytes you received, as they are. Decoding and encoding again breaks "
    "bytes that are not valid UTF-8: decode only to print (decode_data).":
        "把收到的字节原样发回。先解码再编码会破坏不是合法 UTF-8 的字节：只在打印时解码"
        "（decode_data）。",
    "One recv is not one message: TCP is a stream. Call recv in a loop and echo "
    "each piece, until recv returns b''.":
        "一次 recv 不等于一条消息：TCP 是字节流。循环调用 recv，收到一段就回显一段，"
        "直到 recv 返回 b''。",
    "Big messages arrive in many pieces: keep calling recv until it returns b'' "
    "and echo each piece; and send() may send only part of what you give it: "
    "use conn.sendall(data).":
        "大消息会分成很多段到达：不断调用 recv，直到它返回 b''，并回显每一段；"
        "而 send() 可能只发出你给它的一部分：请用 conn.sendall(data)。",
    "Serve each client in its own thread: "
    "threading.Thread(target=handle, args=(conn, addr)).start().":
        "每个客户端用一个自己的线程来服务："
        "threading.Thread(target=handle, args=(conn, addr)).start()。",
    "This lesson's server serves one client at a time: use kind='single'.":
        "本课的服务器一次只服务一个客户端：请用 kind='single'。",
    "When the first client leaves (recv returns b''), the handler must return, "
    "so that the server can accept the next client.":
        "第一个客户端离开时（recv 返回 b''），handler 必须返回，服务器才能接受下一个客户端。",
    "recv raises ConnectionResetError when a client vanishes: let the handler "
    "end (try/finally closes the socket), and keep the accept loop running.":
        "客户端突然消失时，recv 会抛出 ConnectionResetError：让 handler 结束"
        "（用 try/finally 关闭套接字），并让 accept 循环继续运行。",
    "recv returns b'' when the client is done: break out of the loop then. "
    "A loop that goes on never ends (and spins the CPU).":
        "客户端发完后 recv 返回 b''：这时要跳出循环。继续循环的话永远不会结束"
        "（还会让 CPU 空转）。",
    "When recv returns b'' or raises, the handler must return; nothing in it "
    "may wait forever.":
        "recv 返回 b'' 或抛出异常时，handler 必须返回；其中任何地方都不能永远等待。",
    "When recv returns b'' or raises, the handler must return. Nothing in it may "
    "wait forever: a thread stuck in time.sleep(...) or event.wait() cannot be "
    "ended from outside, not even by stop(). Give every wait a timeout.":
        "recv 返回 b'' 或抛出异常时，handler 必须返回。其中任何地方都不能永远等待：卡在 "
        "time.sleep(...) 或 event.wait() 里的线程无法从外部结束，stop() 也不行。"
        "每次等待都要设超时。",
    "recv returns b'' when the client is done: break out of the loop then, "
    "and return. A loop that goes on never ends (and spins the CPU), and "
    "nothing after it may wait forever.":
        "客户端发完后 recv 返回 b''：这时要跳出循环并返回。继续循环的话永远不会结束"
        "（还会让 CPU 空转），循环之后也不能有永远的等待。",
    "The handler started threads that were still running after its client left. "
    "Join them before the handler returns (thread.join()), or let them end when "
    "the client leaves (recv returns b'').":
        "handler 启动的线程在它的客户端离开后还在运行。在 handler 返回前 join 它们"
        "（thread.join()），或者让它们在客户端离开时（recv 返回 b''）结束。",
    "The handler started threads that were still running after its client left. "
    "Join them before the handler returns (thread.join()), or let them end when "
    "the client leaves (recv returns b''). They were not daemon threads either: "
    "Python waits for those before it exits, so the program would never end.":
        "handler 启动的线程在它的客户端离开后还在运行。在 handler 返回前 join 它们"
        "（thread.join()），或者让它们在客户端离开时（recv 返回 b''）结束。"
        "而且它们不是守护线程（daemon）：Python 退出前要等这样的线程结束，程序就永远不会退出。",
    "KeyboardInterrupt and SystemExit do not end a client, nor the server: "
    "raised in a handler they end only its thread, and `except Exception:` "
    "does not catch them. To end a client, return from the handler; to stop "
    "the server, call server.stop().":
        "KeyboardInterrupt 和 SystemExit 既结束不了一个客户端，也停不了服务器：在 handler 里"
        "抛出时，它们只结束这个线程，而且 `except Exception:` 捕获不到它们。要结束一个客户端，"
        "从 handler 返回；要停止服务器，调用 server.stop()。",
    "Read the error, find the line, fix the cause, run the check again.":
        "读错误信息，找到出错的那一行，修复原因，再运行一次检查。",
    "That closes a number, not the connection: call conn.close() on the socket "
    "(or use `with conn:`), not on the client's id.":
        "这关闭的是一个数字，而不是连接：对套接字调用 conn.close()（或者用 `with conn:`），"
        "而不是对客户端编号调用。",
    "Is the server listening, and does it answer?": "服务器在监听吗？它有应答吗？",
    "Make the first check pass, then run again.": "先让第一项检查通过，再运行一次。",
    "Make the failed checks pass, then run again.": "先让失败的检查通过，再运行一次。",
    "The checks above waited out their deadlines: make them pass, then run again.":
        "上面的检查都等到了期限才结束：先让它们通过，再运行一次。",
    # texts with values in them: {fields} are filled in after translation
    "Checking {target}:": "检查{target}：",
    "Checking {target}": "检查{target}",
    "your handler {name}()": "你的 handler {name}()",
    "the {kind!r} server": "参考服务器 {kind!r}",
    "{good} of {total} checks passed.": "{total} 项检查中通过了 {good} 项。",
    "{shown}... ({nbytes} bytes)": "{shown}...（共 {nbytes} 字节）",
    "{data} back, byte for byte": "原样收回 {data}，逐字节相同",
    "got {nbytes} bytes back": "收回 {nbytes} 字节",
    "got {nbytes} bytes back, not the same": "收回 {nbytes} 字节，但内容不同",
    "got {nbytes} bytes back; the server said: {error}": "收回 {nbytes} 字节；服务器报告：{error}",
    "got {data} back": "收回 {data}",
    "got {data} back; the server said: {error}": "收回 {data}；服务器报告：{error}",
    "nothing came back; the server said: {error}": "什么也没收回；服务器报告：{error}",
    "got {data}, and the connection stayed open": "收到 {data}，但连接一直没有关闭",
    "could not end: {threads}": "无法结束：{threads}",
    # threads a handler left behind
    "1 thread still running after the client left: {names}; could not end: {stuck}":
        "客户端离开后仍有 1 个线程在运行：{names}；无法结束：{stuck}",
    "{count} threads still running after the client left: {names}; could not end: {stuck}":
        "客户端离开后仍有 {count} 个线程在运行：{names}；无法结束：{stuck}",
    "1 thread still running after the client left: {names}": "客户端离开后仍有 1 个线程在运行：{names}",
    "{count} threads still running after the client left: {names}":
        "客户端离开后仍有 {count} 个线程在运行：{names}",
}
