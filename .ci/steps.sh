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

timings=()
current=""
started=$SECONDS
step_started=$SECONDS
end_step() {
    if [ -n "$current" ]; then
        timings+=("$(printf '%4ds  %s' $((SECONDS - step_started)) "$current")")
    fi
    current=""
}
step() {
    end_step
    current="$*"
    step_started=$SECONDS
    printf '\n==== %s ==== (+%ds)\n' "$*" $((SECONDS - started))
}
