# Sourced by .ci/run and .ci/msrv-and-miri: the environment every build
# here shares, and `step`, which prints a step's heading and records how
# long the previous one took (`timings`, printed at the end).

export CARGO_TERM_COLOR=never
export RUST_BACKTRACE=0

# Clean builds: incremental state and debug info cost time and disk and
# help nobody here (a failing test still names its file and line).
export CARGO_INCREMENTAL=0
export CARGO_PROFILE_DEV_DEBUG=0
export CARGO_PROFILE_TEST_DEBUG=0

# The CPU seconds of a step are its finished child processes' (cutime and
# cstime in /proc/<this shell>/stat): with two cores, a step's CPU over
# two is what it costs the run when the other lane is busy too.
ticks_per_second=$(getconf CLK_TCK 2> /dev/null || echo 100)
cpu_ticks() {
    local stat
    if read -r -a stat < "/proc/$$/stat" 2> /dev/null; then
        echo $(( stat[15] + stat[16] ))
    else
        echo 0
    fi
}
timings=()
current=""
started=$SECONDS
step_started=$SECONDS
step_ticks=$(cpu_ticks)
end_step() {
    if [ -n "$current" ]; then
        timings+=("$(printf '%4ds %5d cpu-s  %s' $((SECONDS - step_started)) \
            $(( ($(cpu_ticks) - step_ticks) / ticks_per_second )) "$current")")
    fi
    current=""
}
step() {
    end_step
    current="$*"
    step_started=$SECONDS
    step_ticks=$(cpu_ticks)
    printf '\n==== %s ==== (+%ds)\n' "$*" $((SECONDS - started))
}
