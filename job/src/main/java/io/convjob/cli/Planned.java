package io.convjob.cli;

import io.convjob.plan.ResourcePlan;

/** A command that plans its memory first: an {@link OutOfMemoryError} is reported with its plan's estimate. */
interface Planned {
    /** The plan the command made, or null before it made one. */
    ResourcePlan plan();
}
