// pdftext-server: poppler's text extraction (what `pdftotext -q -enc UTF-8 -l N - -` prints) for a stream of PDFs,
// each parsed in a child forked from this already-loaded process, under the same kernel limits as a pdftotext run.
// Starting pdftotext costs more than parsing a short PDF: the dynamic linker binds tens of thousands of symbols of
// libpoppler and its libraries at every start (they are linked with BIND_NOW). Here they are bound once.
//
// Usage: pdftext-server <address-space-bytes> <cpu-seconds> <wall-milliseconds>
// Request on stdin:  u32 length, u32 last page, then `length` bytes of PDF (little-endian).
// Answer on stdout:  u32 kind (0 exited, 1 killed by a signal, 2 wall-clock limit), i32 code (exit code or signal),
//                    u32 length, then `length` bytes of UTF-8 text (each page ended by a form feed, as pdftotext).
// Exit codes as pdftotext: 1 the file cannot be opened (damaged, or encrypted with a password), 3 copying not allowed.
// The server never parses: a document that crashes or exhausts its child ends only that child.
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

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

// Far above any upload the apps accept; the server's own memory is not limited, so it never takes more than this.
constexpr uint32_t kMaxDocumentBytes = 512u * 1024 * 1024;

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
class TextSink {
public:
    explicit TextSink(int fd) : fd_(fd) {}

    static void Take(void *sink, const char *text, int length) { static_cast<TextSink *>(sink)->Add(text, static_cast<size_t>(length)); }

    void Add(const char *text, size_t length)
    {
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
    int fd_;
    size_t used_ = 0;
    char buffer_[65536];
};

// The document's text to `fd`, then the child's exit (codes as pdftotext).
[[noreturn]] void Extract(const ScrubbedBuffer &pdf, int lastPage, int fd)
{
    auto *stream = new MemStream(pdf.data(), 0, static_cast<Goffset>(pdf.size()), Object(objNull));
    PDFDoc doc(stream);
    if (!doc.isOk()) _exit(1);
    if (!doc.okToCopy()) _exit(3);
    int last = lastPage < doc.getNumPages() ? lastPage : doc.getNumPages();
    auto *sink = new TextSink(fd);
    TextOutputDev text(TextSink::Take, sink, false, 0, false, false);
    if (!text.isOk()) _exit(2);
    if (last >= 1) doc.displayPages(&text, 1, last, 72, 72, 0, true, false, false);
    sink->Flush();
    _exit(0);
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

// In the child: limits first, then the document; the text goes to `fd`.
[[noreturn]] void Parse(const ScrubbedBuffer &pdf, int lastPage, int fd, rlim_t addressSpace, rlim_t cpuSeconds, bool onThread)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); // the server gone (killed by its host): so is the parse
    // Only `fd` carries text: the protocol's pipes are not the child's to touch, and poppler's messages (even
    // quieted, its allocator reports "Out of memory") stay out of the host's log.
    int devNull = open("/dev/null", O_RDWR);
    if (devNull < 0 || dup2(devNull, 0) < 0 || dup2(devNull, 1) < 0 || dup2(devNull, 2) < 0) _exit(98);
    rlimit space{addressSpace, addressSpace};
    rlimit cpu{cpuSeconds, cpuSeconds};
    rlimit core{0, 0};
    if (setrlimit(RLIMIT_AS, &space) != 0 || setrlimit(RLIMIT_CPU, &cpu) != 0 || setrlimit(RLIMIT_CORE, &core) != 0) _exit(98);

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

} // namespace

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: pdftext-server <address-space-bytes> <cpu-seconds> <wall-milliseconds>\n");
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

    for (;;) {
        uint32_t header[2];
        if (!ReadAll(0, header, sizeof header)) return 0; // the host closed our input: done
        if (header[0] > kMaxDocumentBytes) return 65;      // out of protocol: the host starts a new server
        ScrubbedBuffer pdf(header[0]);
        if (!ReadAll(0, pdf.data(), pdf.size())) return 0;

        int pipeFds[2];
        if (pipe(pipeFds) != 0) return 70;
        pid_t child = fork();
        if (child < 0) return 71;
        if (child == 0) {
            close(pipeFds[0]);
            Parse(pdf, static_cast<int>(header[1]), pipeFds[1], addressSpace, cpuSeconds, parseOnThread);
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
