"""esra: who, what, when and where of Lombardy's entry into the European Semiconductor Regions Alliance."""

__version__ = "0.8.2"
