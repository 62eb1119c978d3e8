// pdftext-server: poppler's text extraction (what `pdftotext -q -enc UTF-8 -l N - -` prints) for a stream of PDFs,
// each parsed in a child forked from this already-loaded process, under the same kernel limits as a pdftotext run.
// Starting pdftotext costs more than parsing a short PDF: the dynamic linker binds tens of thousands of symbols of
// libpoppler and its libraries at every start (they are linked with BIND_NOW). Here they are bound once.
//
// Usage: pdftext-server <address-space-bytes> <cpu-seconds> <wall-milliseconds> [<workers> <documents> <idle-ms>]
// Request on stdin:  u32 length, u32 last page, u64 uploader key, then `length` bytes of PDF (little-endian).
// Answer on stdout:  u32 kind (0 exited, 1 killed by a signal, 2 wall-clock limit), i32 code (exit code or signal),
//                    u32 length, then `length` bytes of UTF-8 text (each page ended by a form feed, as pdftotext).
// Exit codes as pdftotext: 1 the file cannot be opened (damaged, or encrypted with a password), 3 copying not allowed.
// The server never parses: a document that crashes or exhausts its child ends only that child.
//
// Uploader key 0: the document is parsed in a child of its own, which exits with its answer. Any other key names the
// person who uploaded the document (a hash the host computes): it is parsed in that uploader's warm worker, a child
// that parses their documents one after another (up to <workers> workers, each for at most <documents> documents and
// <idle-ms> without one), so a fork, an exit and a fresh heap's page faults are paid once per worker instead of once
// per document. Freed memory in a worker may still hold an earlier document, but only one the same person uploaded;
// every worker and child is forked from the server and keeps no descriptor but its own pipes. Limits hold per document
// as for a child: the address space for the worker's life, the CPU time from each document's start, the wall clock by
// the server, which kills a worker that overruns it, crashes or stops answering, and answers for it as for a child.
//
// A child redoes every first-time step the server left undone. So the server binds all symbols at its start (it
// re-executes itself with LD_BIND_NOW set; about 10 ms once per server) and does the one-time set-up no document drives
// (the time zone, poppler's colour profiles) before its first fork. And it zeroes each document and its text once
// answered, since every later child inherits its memory.
//
// Page faults are most of a child's cost: each page it first writes (its heap growing, or a page shared with the
// server) is a fault, and on a virtual machine a fault can cost 10 µs. Where the kernel offers transparent huge pages,
// the child parses on a thread of its own: glibc gives that thread a fresh malloc arena, which (with the tunables the
// server re-executes itself with) is one 2 MB huge page instead of ~150 separately faulted 4 kB pages. The server, in
// turn, writes as few pages as it can while a child shares them (no stack buffer, a text buffer zeroed only as far as
// it was written).
#include <GfxState.h>
#include <GlobalParams.h>
#include <PDFDoc.h>
#include <Stream.h>
#include <TextOutputDev.h>

#include <cerrno>
#include <fcntl.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

// Far above any upload the apps accept; the server's own memory is not limited, so it never takes more than this.
constexpr uint32_t kMaxDocumentBytes = 512u * 1024 * 1024;
// A worker claiming a longer text is out of protocol (200 pages of text are a few megabytes).
constexpr uint32_t kMaxTextBytes = 1024u * 1024 * 1024;

bool ReadAll(int fd, void *buffer, size_t length)
{
    auto *at = static_cast<char *>(buffer);
    while (length > 0) {
        ssize_t n = read(fd, at, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        at += n;
        length -= static_cast<size_t>(n);
    }
    return true;
}

bool WriteAll(int fd, const void *buffer, size_t length)
{
    const auto *at = static_cast<const char *>(buffer);
    while (length > 0) {
        ssize_t n = write(fd, at, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        at += n;
        length -= static_cast<size_t>(n);
    }
    return true;
}

// A byte buffer that zeroes each block before it lets the block go. Every child is forked from the server and inherits
// its memory, freed blocks included: no document, and no text of one, may stay in it once its answer is sent.
class ScrubbedBuffer {
public:
    explicit ScrubbedBuffer(size_t length = 0) { Reserve(length); size_ = length; }
    ~ScrubbedBuffer() { Release(); }
    ScrubbedBuffer(const ScrubbedBuffer &) = delete;
    ScrubbedBuffer &operator=(const ScrubbedBuffer &) = delete;

    char *data() { return data_; }
    const char *data() const { return data_; }
    size_t size() const { return size_; }

    // Appends what one read() of `fd` gives: >0 bytes read, 0 end of file, <0 an error (errno says which).
    ssize_t ReadFrom(int fd)
    {
        if (capacity_ - size_ < 4096) Reserve(capacity_ > 0 ? capacity_ * 2 : 65536);
        ssize_t n = read(fd, data_ + size_, capacity_ - size_);
        if (n > 0) size_ += static_cast<size_t>(n);
        return n;
    }

    // Appends `length` bytes, growing by doubling (each smaller copy zeroed as it is let go).
    void Append(const char *bytes, size_t length)
    {
        if (capacity_ - size_ < length) {
            size_t capacity = capacity_ > 0 ? capacity_ : 65536;
            while (capacity - size_ < length) capacity *= 2;
            Reserve(capacity);
        }
        memcpy(data_ + size_, bytes, length);
        size_ += length;
    }

private:
    void Reserve(size_t capacity)
    {
        if (capacity == 0) return;
        auto *next = static_cast<char *>(malloc(capacity));
        if (next == nullptr) _exit(72);
        if (size_ > 0) memcpy(next, data_, size_);
        size_t kept = size_;
        Release();
        data_ = next;
        capacity_ = capacity;
        size_ = kept;
    }

    // Only [0, size_) was ever written here: zeroing just that leaves the rest of the block's pages untouched (a page
    // written while a child shares it is a page fault).
    void Release()
    {
        if (data_ != nullptr) {
            explicit_bzero(data_, size_);
            free(data_);
        }
        data_ = nullptr;
        capacity_ = 0;
        size_ = 0;
    }

    char *data_ = nullptr;
    size_t size_ = 0;
    size_t capacity_ = 0;
};

// The child's text on its way to the pipe: poppler hands it over a few words at a time, and a write per piece was
// about 80 system calls per two-page document. Gathered here, it leaves in 64 kB writes (and what is left at the end).
// A worker's text goes to a buffer instead: its answer states the length before the text.
class TextSink {
public:
    explicit TextSink(int fd) : fd_(fd) {}
    explicit TextSink(ScrubbedBuffer *into) : into_(into) {}

    static void Take(void *sink, const char *text, int length) { static_cast<TextSink *>(sink)->Add(text, static_cast<size_t>(length)); }

    void Add(const char *text, size_t length)
    {
        if (into_ != nullptr) {
            into_->Append(text, length);
            return;
        }
        if (used_ + length > sizeof buffer_) Flush();
        if (length >= sizeof buffer_) {
            WriteAll(fd_, text, length);
            return;
        }
        memcpy(buffer_ + used_, text, length);
        used_ += length;
    }

    void Flush()
    {
        if (used_ > 0) WriteAll(fd_, buffer_, used_);
        used_ = 0;
    }

private:
    int fd_ = -1;
    ScrubbedBuffer *into_ = nullptr;
    size_t used_ = 0;
    char buffer_[65536];
};

// The document's text to `sink`; the exit code pdftotext would give.
int ExtractText(const ScrubbedBuffer &pdf, int lastPage, TextSink &sink)
{
    auto *stream = new MemStream(pdf.data(), 0, static_cast<Goffset>(pdf.size()), Object(objNull));
    PDFDoc doc(stream);
    if (!doc.isOk()) return 1;
    if (!doc.okToCopy()) return 3;
    int last = lastPage < doc.getNumPages() ? lastPage : doc.getNumPages();
    TextOutputDev text(TextSink::Take, &sink, false, 0, false, false);
    if (!text.isOk()) return 2;
    if (last >= 1) doc.displayPages(&text, 1, last, 72, 72, 0, true, false, false);
    sink.Flush();
    return 0;
}

// The document's text to `fd`, then the child's exit (codes as pdftotext).
[[noreturn]] void Extract(const ScrubbedBuffer &pdf, int lastPage, int fd)
{
    auto *sink = new TextSink(fd);
    _exit(ExtractText(pdf, lastPage, *sink));
}

struct Extraction {
    const ScrubbedBuffer *pdf;
    int lastPage;
    int fd;
};

void *ExtractOnThread(void *argument)
{
    const auto *extraction = static_cast<const Extraction *>(argument);
    Extract(*extraction->pdf, extraction->lastPage, extraction->fd);
}

// Whether the kernel gives huge pages to memory that asks for them ("always" or "madvise", not "never").
bool HugePagesOffered()
{
    char mode[128] = {};
    int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);
    if (fd < 0) return false;
    ssize_t n = read(fd, mode, sizeof mode - 1);
    close(fd);
    return n > 0 && strstr(mode, "[never]") == nullptr;
}

// One uploader's warm worker, as the server sees it.
struct Worker {
    uint64_t key = 0;
    pid_t pid = -1;
    int requests = -1; // the server writes documents here (non-blocking)
    int answers = -1;  // and reads the worker's answers here
    uint32_t served = 0;
    long long lastUsedMs = 0;
};

// First thing in every forked child: it ends with the server, keeps no descriptor but its own pipes (`keep`, `alsoKeep`;
// none of the other workers' pipes, the protocol's or whatever the server inherited), and is held to the address-space
// limit. Poppler's messages (even quieted, its allocator reports "Out of memory") stay out of the host's log.
void EnterChild(int keep, int alsoKeep, rlim_t addressSpace)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); // the server gone (killed by its host): so is the parse
    unsigned int low = static_cast<unsigned int>(keep < alsoKeep || alsoKeep < 0 ? keep : alsoKeep);
    unsigned int high = static_cast<unsigned int>(keep < alsoKeep ? alsoKeep : keep);
    if (low > 3) close_range(3, low - 1, 0);
    if (high > low + 1) close_range(low + 1, high - 1, 0);
    close_range(high + 1, ~0U, 0);
    int devNull = open("/dev/null", O_RDWR);
    if (devNull < 0 || dup2(devNull, 0) < 0 || dup2(devNull, 1) < 0 || dup2(devNull, 2) < 0) _exit(98);
    if (devNull > 2) close(devNull);
    rlimit space{addressSpace, addressSpace};
    rlimit core{0, 0};
    if (setrlimit(RLIMIT_AS, &space) != 0 || setrlimit(RLIMIT_CORE, &core) != 0) _exit(98);
}

// In a one-document child (after EnterChild): the CPU limit, then the document; the text goes to `fd`.
[[noreturn]] void Parse(const ScrubbedBuffer &pdf, int lastPage, int fd, rlim_t cpuSeconds, bool onThread)
{
    rlimit cpu{cpuSeconds, cpuSeconds};
    if (setrlimit(RLIMIT_CPU, &cpu) != 0) _exit(98);

    if (onThread) {
        // The thread's arena is fresh memory (see the header); the thread ends the process when done.
        Extraction extraction{&pdf, lastPage, fd};
        pthread_t thread;
        if (pthread_create(&thread, nullptr, ExtractOnThread, &extraction) == 0) pthread_join(thread, nullptr);
    }
    Extract(pdf, lastPage, fd);
}

long long NowMs()
{
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

// The worker's CPU limit, from now: `cpuSeconds` more than it has used (the soft limit; SIGXCPU ends it, as a child).
bool LimitCpuFromNow(rlim_t cpuSeconds)
{
    rusage used{};
    rlimit cpu{};
    if (getrusage(RUSAGE_SELF, &used) != 0 || getrlimit(RLIMIT_CPU, &cpu) != 0) return false;
    rlim_t soft = static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec) + 1 + cpuSeconds;
    cpu.rlim_cur = cpu.rlim_max != RLIM_INFINITY && soft > cpu.rlim_max ? cpu.rlim_max : soft;
    return setrlimit(RLIMIT_CPU, &cpu) == 0;
}

// A worker's life (after EnterChild): a document at a time from `requests` (u32 length, u32 last page, the bytes),
// its answer to `answers` (u32 exit code as pdftotext's, u32 length, the text). Ends when the server closes its pipe.
[[noreturn]] void ServeUploader(int requests, int answers, rlim_t cpuSeconds)
{
    for (;;) {
        uint32_t header[2];
        if (!ReadAll(requests, header, sizeof header)) _exit(0);
        if (header[0] > kMaxDocumentBytes) _exit(65);
        ScrubbedBuffer text;
        uint32_t answer[2] = {0, 0};
        {
            ScrubbedBuffer pdf(header[0]);
            if (!ReadAll(requests, pdf.data(), pdf.size())) _exit(0);
            if (!LimitCpuFromNow(cpuSeconds)) _exit(98);
            TextSink sink(&text);
            answer[0] = static_cast<uint32_t>(ExtractText(pdf, static_cast<int>(header[1]), sink));
        }
        answer[1] = answer[0] == 0 ? static_cast<uint32_t>(text.size()) : 0;
        if (!WriteAll(answers, answer, sizeof answer) || !WriteAll(answers, text.data(), answer[1])) _exit(0);
    }
}

enum class Transfer { Done, Closed, OverTime };

// Reads exactly `length` bytes from `fd` unless it closes first or `deadlineMs` passes.
Transfer ReadUntil(int fd, char *buffer, size_t length, long long deadlineMs)
{
    while (length > 0) {
        long long left = deadlineMs - NowMs();
        if (left <= 0) return Transfer::OverTime;
        pollfd wait{fd, POLLIN, 0};
        int ready = poll(&wait, 1, static_cast<int>(left > 1000000 ? 1000000 : left));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) continue;
        ssize_t n = read(fd, buffer, length);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return Transfer::Closed;
        buffer += n;
        length -= static_cast<size_t>(n);
    }
    return Transfer::Done;
}

// Writes all of `buffer` to the non-blocking `fd` unless its reader is gone or `deadlineMs` passes (a worker that
// stopped reading cannot hold the server).
Transfer WriteUntil(int fd, const char *buffer, size_t length, long long deadlineMs)
{
    while (length > 0) {
        ssize_t n = write(fd, buffer, length);
        if (n > 0) {
            buffer += n;
            length -= static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN) return Transfer::Closed;
        long long left = deadlineMs - NowMs();
        if (left <= 0) return Transfer::OverTime;
        pollfd wait{fd, POLLOUT, 0};
        if (poll(&wait, 1, static_cast<int>(left > 1000000 ? 1000000 : left)) < 0 && errno != EINTR) return Transfer::Closed;
    }
    return Transfer::Done;
}

// Ends a worker (killed: its memory, earlier documents included, goes with it) and gives its wait status.
int Retire(std::vector<Worker> &workers, size_t index)
{
    Worker worker = workers[index];
    workers.erase(workers.begin() + static_cast<std::ptrdiff_t>(index));
    close(worker.requests);
    close(worker.answers);
    kill(worker.pid, SIGKILL);
    int status = 0;
    while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

// The uploader's worker, started (forked from the server) if there is none; the longest unused one makes room.
// -1 when no worker could be started.
ssize_t WorkerFor(std::vector<Worker> &workers, uint64_t key, size_t maxWorkers, rlim_t addressSpace, rlim_t cpuSeconds)
{
    for (size_t i = 0; i < workers.size(); i++) {
        if (workers[i].key == key) return static_cast<ssize_t>(i);
    }
    if (workers.size() >= maxWorkers) {
        size_t oldest = 0;
        for (size_t i = 1; i < workers.size(); i++) {
            if (workers[i].lastUsedMs < workers[oldest].lastUsedMs) oldest = i;
        }
        Retire(workers, oldest);
    }

    int requests[2];
    int answers[2];
    if (pipe(requests) != 0) return -1;
    if (pipe(answers) != 0) {
        close(requests[0]);
        close(requests[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        for (int fd : {requests[0], requests[1], answers[0], answers[1]}) close(fd);
        return -1;
    }
    if (pid == 0) {
        close(requests[1]);
        close(answers[0]);
        EnterChild(requests[0], answers[1], addressSpace);
        ServeUploader(requests[0], answers[1], cpuSeconds);
    }
    close(requests[0]);
    close(answers[1]);
    fcntl(requests[1], F_SETFL, fcntl(requests[1], F_GETFL) | O_NONBLOCK);
    workers.push_back(Worker{key, pid, requests[1], answers[0], 0, NowMs()});
    return static_cast<ssize_t>(workers.size() - 1);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 7) {
        fprintf(stderr, "usage: pdftext-server <address-space-bytes> <cpu-seconds> <wall-milliseconds> [<workers> <documents> <idle-ms>]\n");
        return 64;
    }

    // First, bind every symbol now, in the process every child is forked from: re-execute with LD_BIND_NOW, through
    // the link's target so the process keeps its name; and, where huge pages are offered, with the malloc tunables
    // that give a thread's arena one (glibc reads them only at a start; 2 MB of arena to begin with, advised huge).
    // Should that fail, the server works as before (children bind lazily and parse on their main thread).
    char self[4096];
    ssize_t selfLength = readlink("/proc/self/exe", self, sizeof self - 1);
    constexpr const char *kArenaTunables = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=2097152";
    if (getenv("LD_BIND_NOW") == nullptr && selfLength > 0 && setenv("LD_BIND_NOW", "1", 1) == 0) {
        self[selfLength] = '\0';
        if (HugePagesOffered()) {
            const char *tunables = getenv("GLIBC_TUNABLES");
            std::string merged = tunables != nullptr && *tunables != '\0' ? std::string(tunables) + ":" + kArenaTunables : kArenaTunables;
            setenv("GLIBC_TUNABLES", merged.c_str(), 1);
        }
        execv(self, argv);
    }
    const char *tunables = getenv("GLIBC_TUNABLES");
    const bool parseOnThread = HugePagesOffered() && tunables != nullptr && strstr(tunables, kArenaTunables) != nullptr;

    const auto addressSpace = static_cast<rlim_t>(strtoull(argv[1], nullptr, 10));
    const auto cpuSeconds = static_cast<rlim_t>(strtoull(argv[2], nullptr, 10));
    const long long wallMs = strtoll(argv[3], nullptr, 10);
    // Without the worker arguments every document gets a child of its own, whatever its key.
    const size_t maxWorkers = argc == 7 ? static_cast<size_t>(strtoull(argv[4], nullptr, 10)) : 0;
    const uint32_t documentsPerWorker = argc == 7 ? static_cast<uint32_t>(strtoul(argv[5], nullptr, 10)) : 0;
    const long long idleMs = argc == 7 ? strtoll(argv[6], nullptr, 10) : 0;
    signal(SIGPIPE, SIG_IGN);

    globalParams = std::make_unique<GlobalParams>();
    globalParams->setTextEncoding("UTF-8");
    globalParams->setErrQuiet(true);
    // Neither reads a document: the first date a parse formats would read /etc/localtime, and poppler's first graphics
    // state builds its sRGB and XYZ colour profiles (kept in statics).
    tzset();
    {
        PDFRectangle page;
        GfxState first(72, 72, &page, 0, true);
    }

    std::vector<Worker> workers;
    for (;;) {
        // Idle workers end (and their memory with them); while any is left, the wait for a request is as long as the
        // next of them may stay.
        if (!workers.empty()) {
            long long now = NowMs();
            for (size_t i = workers.size(); i-- > 0;) {
                if (now - workers[i].lastUsedMs >= idleMs) Retire(workers, i);
            }
            long long next = -1;
            for (const auto &worker : workers) {
                long long left = worker.lastUsedMs + idleMs - now;
                if (next < 0 || left < next) next = left;
            }
            if (next >= 0) {
                pollfd input{0, POLLIN, 0};
                if (poll(&input, 1, static_cast<int>(next > 1000000 ? 1000000 : next + 1)) == 0) continue;
            }
        }

        uint32_t header[4];
        if (!ReadAll(0, header, sizeof header)) return 0; // the host closed our input: done
        if (header[0] > kMaxDocumentBytes) return 65;      // out of protocol: the host starts a new server
        ScrubbedBuffer pdf(header[0]);
        if (!ReadAll(0, pdf.data(), pdf.size())) return 0;
        const uint64_t key = static_cast<uint64_t>(header[2]) | static_cast<uint64_t>(header[3]) << 32;

        ssize_t at = key != 0 && maxWorkers > 0 ? WorkerFor(workers, key, maxWorkers, addressSpace, cpuSeconds) : -1;
        if (at >= 0) {
            // In the uploader's worker: the answer as a child's would be (its exit code, or how it ended).
            Worker &worker = workers[static_cast<size_t>(at)];
            const long long deadline = NowMs() + wallMs;
            uint32_t request[2] = {header[0], header[1]};
            uint32_t answered[2] = {0, 0};
            Transfer step = WriteUntil(worker.requests, reinterpret_cast<const char *>(request), sizeof request, deadline);
            if (step == Transfer::Done) step = WriteUntil(worker.requests, pdf.data(), pdf.size(), deadline);
            if (step == Transfer::Done) step = ReadUntil(worker.answers, reinterpret_cast<char *>(answered), sizeof answered, deadline);
            if (step == Transfer::Done && answered[1] > kMaxTextBytes) step = Transfer::Closed; // out of protocol
            ScrubbedBuffer text(step == Transfer::Done ? answered[1] : 0);
            if (step == Transfer::Done) step = ReadUntil(worker.answers, text.data(), text.size(), deadline);

            uint32_t kind = 0;
            int32_t code = static_cast<int32_t>(answered[0]);
            if (step == Transfer::Done) {
                worker.lastUsedMs = NowMs();
                if (++worker.served >= documentsPerWorker) Retire(workers, static_cast<size_t>(at));
            } else {
                int status = Retire(workers, static_cast<size_t>(at));
                kind = step == Transfer::OverTime ? 2 : WIFSIGNALED(status) ? 1 : 0;
                code = WIFSIGNALED(status) ? WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            }
            uint32_t length = kind == 0 && step == Transfer::Done ? static_cast<uint32_t>(text.size()) : 0;
            uint32_t answer[3] = {kind, static_cast<uint32_t>(code), length};
            if (!WriteAll(1, answer, sizeof answer) || !WriteAll(1, text.data(), length)) return 0;
            continue;
        }

        int pipeFds[2];
        if (pipe(pipeFds) != 0) return 70;
        pid_t child = fork();
        if (child < 0) return 71;
        if (child == 0) {
            close(pipeFds[0]);
            EnterChild(pipeFds[1], -1, addressSpace);
            Parse(pdf, static_cast<int>(header[1]), pipeFds[1], cpuSeconds, parseOnThread);
        }

        close(pipeFds[1]);
        ScrubbedBuffer text;
        bool overTime = false;
        const long long deadline = NowMs() + wallMs;
        for (;;) {
            long long left = deadline - NowMs();
            if (left <= 0) {
                overTime = true;
                break;
            }
            pollfd wait{pipeFds[0], POLLIN, 0};
            int ready = poll(&wait, 1, static_cast<int>(left > 1000000 ? 1000000 : left));
            if (ready < 0 && errno == EINTR) continue;
            if (ready == 0) continue;
            ssize_t n = text.ReadFrom(pipeFds[0]);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
        }
        close(pipeFds[0]);
        if (overTime) kill(child, SIGKILL);

        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }

        uint32_t kind = overTime ? 2 : WIFSIGNALED(status) ? 1 : 0;
        int32_t code = WIFSIGNALED(status) ? WTERMSIG(status) : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        uint32_t length = kind == 0 ? static_cast<uint32_t>(text.size()) : 0;
        uint32_t answer[3] = {kind, static_cast<uint32_t>(code), length};
        if (!WriteAll(1, answer, sizeof answer) || !WriteAll(1, text.data(), length)) return 0;
    }
}
