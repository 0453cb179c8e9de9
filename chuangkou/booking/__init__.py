"""Window booking: working-day calendar, slots, Chinese date/time requests, bookings."""
