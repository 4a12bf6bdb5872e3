/*
 * clock.h
 *		The clock of section 16 (clock.c): the timed work due at a given
 *		time in every account of the database.
 */
#ifndef ROUTING_CLOCK_H
#define ROUTING_CLOCK_H

#include "postgres.h"

#include "datatype/timestamp.h"

extern int64 routing_tick_at(TimestampTz at, bool one_batch, bool *more);

#endif							/* ROUTING_CLOCK_H */
