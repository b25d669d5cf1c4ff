"""An organization's brand voice: the kit its admins write, and what generation makes of it."""

from bot.brand.kit import BrandKit, BrandPart
from bot.brand.service import BrandService, load_brand_kit

__all__ = ["BrandKit", "BrandPart", "BrandService", "load_brand_kit"]
