/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlbreplay -i --alert-cmd: one shell command per new error diagnostic, never more than a few
 * at once. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"
#include "out.h"

#define MAX_ALERT_CHILDREN 16

void rp_alerts_reap(rp_alerts *c)
{
    int st;
    while (c->children > 0 && waitpid(-1, &st, WNOHANG) > 0)
        c->children--;
}

/* ISO 8601 in UTC: sortable, and `date -d` reads it. */
static void iso_time(nlb_usec t, char *buf, size_t len)
{
    char dt[32];
    rp_datetime_str(t, dt);
    dt[10] = 'T';
    snprintf(buf, len, "%sZ", dt);
}

void rp_alert_run(rp_alerts *c, const char *cmd, const nlb_diag *d, const int *close_fds, int n_close)
{
    rp_alerts_reap(c);
    if (c->children >= MAX_ALERT_CHILDREN) {
        /* A hung alert command must not pile up processes; the diagnostic is still printed. */
        if (!c->full_said)
            fprintf(stderr, "nlbreplay: --alert-cmd: %d commands still running, not starting more\n",
                    MAX_ALERT_CHILDREN);
        c->full_said = true;
        return;
    }
    char msg[1024], when[40];
    nlb_diag_format(d, msg, sizeof msg);
    iso_time(d->time, when, sizeof when);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "nlbreplay: --alert-cmd: cannot start: %s\n", strerror(errno));
        return;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* The command must not hold the capture socket or the -w file open after we stop,
         * and its output must not interleave with the JSON lines on stdout. */
        for (int i = 0; i < n_close; i++)
            close(close_fds[i]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(2, 1);
        setenv("NLB_CODE", nlb_diag_code_str(d->code), 1);
        setenv("NLB_SEVERITY", nlb_severity_name(d->severity), 1);
        setenv("NLB_MESSAGE", msg, 1);
        setenv("NLB_TIME", when, 1);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    c->children++;
}
